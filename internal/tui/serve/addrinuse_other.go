//go:build !unix

package serve

import "errors"

var errAddrInUse = errors.New("address already in use")
