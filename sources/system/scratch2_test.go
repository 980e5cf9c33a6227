package system

import (
	"testing"

	"golang.org/x/sys/unix"
)

func BenchmarkScratchRaw(b *testing.B) {
	buf := make([]byte, 64<<10)
	for _, p := range []string{"/proc/loadavg", "/proc/stat", "/proc/meminfo", "/proc/vmstat", "/proc/diskstats", "/proc/net/dev", "/proc/self/stat", "/proc/1/stat"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := unix.Read(fd, buf)
				_ = n
				unix.Close(fd)
			}
		})
	}
	b.Run("getpid", func(b *testing.B) {
		for b.Loop() {
			unix.Getppid()
		}
	})
}
