//go:build !linux

package load

import (
	"errors"
	"sync"
)

// Event loops are Linux only (epoll); elsewhere workers are goroutines.

func (e *Engine) canEventLoop() bool { return false }

func evLoops(int) int { return 0 }

func (e *Engine) startLoops(int, *sync.WaitGroup) error {
	return errors.New("event loops need Linux")
}
