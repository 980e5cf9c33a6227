//go:build !linux

package main

// dropStartupPages is Linux only (/proc/self/smaps and madvise).
func dropStartupPages() {}
