package metrics

import (
	"fmt"
	"sync"
	"testing"
)

func TestStoreSnapshot(t *testing.T) {
	s := NewStore(3)
	var b Batch
	for i := 0; i < 5; i++ {
		b.Reset(at(i))
		b.Add("cpu", float64(i))
		b.Add("mem", float64(10*i))
		s.Write(&b)
	}
	s.SetHost(Host{Hostname: "box"})
	s.SetHealth("system", Health{Up: true})

	var sn Snapshot
	s.Snapshot(&sn)
	if got, want := values(sn.Get("cpu")), []float64{2, 3, 4}; !equal(got, want) {
		t.Errorf("cpu = %v, want %v", got, want)
	}
	if got, want := values(sn.Get("mem")), []float64{20, 30, 40}; !equal(got, want) {
		t.Errorf("mem = %v, want %v", got, want)
	}
	if sn.Get("missing") != nil {
		t.Errorf("missing series is not nil")
	}
	if sn.Host.Hostname != "box" || !sn.Health["system"].Up {
		t.Errorf("host %q health %+v", sn.Host.Hostname, sn.Health)
	}
	if got, want := fmt.Sprint(sn.Keys()), "[cpu mem]"; got != want {
		t.Errorf("Keys = %s, want %s", got, want)
	}
	if sn.Version != s.Version() {
		t.Errorf("snapshot version %d, store %d", sn.Version, s.Version())
	}
}

func TestStoreVersionChangesOnEveryWrite(t *testing.T) {
	var s Store
	seen := map[uint64]bool{s.Version(): true}
	writes := []func(){
		func() { s.Append("a", at(0), 1) },
		func() { s.Write(&Batch{T: at(1), Keys: []string{"a"}, Values: []float64{2}}) },
		func() { s.SetHost(Host{}) },
		func() { s.SetHealth("x", Health{}) },
	}
	for i, w := range writes {
		w()
		v := s.Version()
		if seen[v] {
			t.Fatalf("write %d left version at %d", i, v)
		}
		seen[v] = true
	}
}

func TestSnapshotReuseAllocatesNothing(t *testing.T) {
	var s Store
	var b Batch
	for i := 0; i < 100; i++ {
		b.Reset(at(i))
		for k := 0; k < 20; k++ {
			b.Add(fmt.Sprintf("series-%d", k), float64(i))
		}
		s.Write(&b)
	}
	var sn Snapshot
	s.Snapshot(&sn)
	allocs := testing.AllocsPerRun(50, func() { s.Snapshot(&sn) })
	if allocs != 0 {
		t.Fatalf("warm Snapshot allocated %v times", allocs)
	}
}

func TestSnapshotDropsVanishedSeries(t *testing.T) {
	var sn Snapshot
	a := NewStore(4)
	a.Append("old", at(0), 1)
	a.Snapshot(&sn)
	b := NewStore(4)
	b.Append("new", at(0), 1)
	b.Snapshot(&sn)
	if sn.Get("old") != nil || sn.Get("new") == nil {
		t.Fatalf("reused snapshot kept %v", sn.Keys())
	}
}

// TestStoreConcurrent runs writers and readers together; run with -race.
func TestStoreConcurrent(t *testing.T) {
	var s Store
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b Batch
			for i := 0; i < 500; i++ {
				b.Reset(at(i))
				b.Add(fmt.Sprintf("w%d", w), float64(i))
				s.Write(&b)
				s.SetHealth(fmt.Sprintf("w%d", w), Health{Up: true})
			}
		}()
	}
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sn Snapshot
			for i := 0; i < 200; i++ {
				s.Snapshot(&sn)
				for _, pts := range sn.Series {
					for j := 1; j < len(pts); j++ {
						if pts[j].V < pts[j-1].V {
							t.Errorf("series out of order: %v then %v", pts[j-1].V, pts[j].V)
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	var sn Snapshot
	s.Snapshot(&sn)
	for w := 0; w < 4; w++ {
		if n := len(sn.Get(fmt.Sprintf("w%d", w))); n != 500 {
			t.Errorf("w%d has %d points, want 500", w, n)
		}
	}
}

func BenchmarkStoreWrite(b *testing.B) {
	var s Store
	var batch Batch
	keys := make([]string, 40)
	for i := range keys {
		keys[i] = fmt.Sprintf("series-%d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		batch.Reset(t0)
		for _, k := range keys {
			batch.Add(k, float64(i))
		}
		s.Write(&batch)
	}
}

func BenchmarkStoreSnapshot(b *testing.B) {
	var s Store
	var batch Batch
	for i := 0; i < DefaultRingCapacity; i++ {
		batch.Reset(at(i))
		for k := 0; k < 40; k++ {
			batch.Add(fmt.Sprintf("series-%d", k), float64(i))
		}
		s.Write(&batch)
	}
	var sn Snapshot
	b.ReportAllocs()
	for b.Loop() {
		s.Snapshot(&sn)
	}
}

func TestChanged(t *testing.T) {
	var s Store
	ch := s.Changed()
	if ch != s.Changed() {
		t.Fatal("Changed returned a new channel without a write")
	}
	select {
	case <-ch:
		t.Fatal("closed before any write")
	default:
	}
	s.Append("x", at(0), 1)
	select {
	case <-ch:
	default:
		t.Fatal("not closed by a write")
	}
	next := s.Changed()
	select {
	case <-next:
		t.Fatal("the next channel is already closed")
	default:
	}
}

func TestUpdateIsOneChange(t *testing.T) {
	var s Store
	ch := s.Changed()
	v := s.Version()
	s.Update(func(tx Tx) {
		tx.Write(&Batch{T: at(0), Keys: []string{"a", "b"}, Values: []float64{1, 2}})
		tx.SetHost(Host{Hostname: "h"})
		tx.SetHealth("src", Health{Up: true})
		tx.SetLoadTest(&LoadTest{State: "running"})
	})
	if s.Version() != v+1 {
		t.Fatalf("version moved by %d, want 1", s.Version()-v)
	}
	select {
	case <-ch:
	default:
		t.Fatal("readers not woken")
	}
	var sn Snapshot
	s.Snapshot(&sn)
	if len(sn.Get("a")) != 1 || sn.Host.Hostname != "h" || !sn.Health["src"].Up || sn.LoadTest.State != "running" {
		t.Fatalf("snapshot after Update: %+v", sn)
	}
}
