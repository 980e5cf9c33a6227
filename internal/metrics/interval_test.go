package metrics

import (
	"testing"
	"time"
)

func TestInterval(t *testing.T) {
	iv := NewInterval(0, 2*time.Second)
	if iv.Get() != 2*time.Second {
		t.Fatalf("default: %v", iv.Get())
	}
	if NewInterval(time.Millisecond, time.Second).Get() != MinInterval {
		t.Error("a new interval below MinInterval was not raised")
	}
	iv.Set(5 * time.Second)
	select {
	case <-iv.Changed():
	default:
		t.Fatal("Set did not signal Changed")
	}
	iv.Set(time.Second)
	iv.Set(3 * time.Second) // a second Set before the follower looked: one wake-up, the latest value
	<-iv.Changed()
	select {
	case <-iv.Changed():
		t.Error("two wake-ups pending")
	default:
	}
	if iv.Get() != 3*time.Second {
		t.Errorf("Get = %v, want 3s", iv.Get())
	}
	iv.Set(time.Nanosecond)
	if iv.Get() != MinInterval {
		t.Errorf("Set(1ns) = %v, want %v", iv.Get(), MinInterval)
	}
	if f := NewIntervalFloor(time.Millisecond, time.Millisecond); f.Get() != time.Millisecond {
		t.Errorf("floor 1ms: %v", f.Get())
	}
}
