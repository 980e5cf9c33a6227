//go:build !linux

package promtest

import (
	"errors"
	"os/exec"
	"os/user"
)

// setDeathSignal does nothing outside Linux, which has no parent-death
// signal; Cleanup still stops the child.
func setDeathSignal(*exec.Cmd) {}

// runAs is only needed where the tests run as root, on Linux.
func runAs(*exec.Cmd, *user.User) error {
	return errors.New("running as another user is only supported on Linux")
}
