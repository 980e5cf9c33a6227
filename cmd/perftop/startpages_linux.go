package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// dropStartupPages unmaps the pages of perftop's own code and read-only
// data from the process, to be mapped again as they are used.
//
// Why: start-up (the runtime, every package's init, the first frame) runs
// code spread over the whole binary, and the kernel maps each page touched
// with its neighbours (fault-around, 64 KiB), so a second in nearly all of
// the binary's 17 MB of code and read-only data counts in the resident set,
// although the dashboard at rest runs a small part of it. MADV_DONTNEED on
// a private file mapping drops page table entries only: the pages stay in
// the page cache and a later use is a minor fault. A mapping with any
// anonymous page (written since it was mapped: relocations of a PIE build)
// is left alone, as are writable ones: dropping those would lose the writes.
func dropStartupPages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	var start, end uint64
	ours := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		fields := bytes.Fields(line)
		switch {
		case len(fields) >= 5 && !bytes.HasSuffix(fields[0], []byte(":")):
			// A mapping's header (its fields' lines start "Name:"):
			// "00400000-00c17000 r-xp 00000000 fd:01 1234 /path/to/perftop"
			start, end, ours = 0, 0, false
			perm := string(fields[1])
			if len(fields) < 6 || string(fields[5]) != exe || (perm != "r-xp" && perm != "r--p") {
				continue
			}
			lo, hi, _ := bytes.Cut(fields[0], []byte("-"))
			s, err1 := strconv.ParseUint(string(lo), 16, 64)
			e, err2 := strconv.ParseUint(string(hi), 16, 64)
			if err1 == nil && err2 == nil && e > s {
				start, end, ours = s, e, true
			}
		case ours && len(fields) >= 2 && string(fields[0]) == "Anonymous:":
			// Anonymous pages in a read-only file mapping were written
			// before it became read-only (relocations): keep those.
			if string(fields[1]) == "0" {
				_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED)
			}
			ours = false
		}
	}
}
