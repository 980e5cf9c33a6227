package metrics

import (
	"sort"
	"sync"
	"time"
)

// Health is a source's state as a panel shows it: "up", or down with the last
// error in words and when the next attempt is due.
type Health struct {
	Up          bool      `json:"up"`
	LastError   string    `json:"last_error,omitempty"`
	LastSuccess time.Time `json:"last_success"`
	NextRetry   time.Time `json:"next_retry"`
}

// Store is where producers write and readers take snapshots. Writes are O(1)
// per point; a snapshot copies the series into the reader's own buffers, so
// readers never hold the lock while they render.
//
// The zero value is an empty store whose rings keep DefaultRingCapacity
// points. A Store is safe for concurrent use by any number of producers and
// readers.
type Store struct {
	mu       sync.RWMutex // guards every field below
	capacity int
	series   map[string]*Ring
	host     Host
	hosts    map[string]Host // remote hosts, by name
	profile  *Profile
	fleet    *Fleet
	loadTest *LoadTest
	prom     map[string]*PromTarget
	promql   []PromQLResult
	health   map[string]Health
	version  uint64
	changed  chan struct{} // closed on the next write, then replaced
}

// Capacity is how many points each series keeps.
func (s *Store) Capacity() int {
	if s.capacity < 1 {
		return DefaultRingCapacity
	}
	return s.capacity
}

// NewStore returns an empty store whose series keep capacity points each.
func NewStore(capacity int) *Store {
	return &Store{capacity: capacity}
}

// Append adds a point to the series named key, creating it on first use.
func (s *Store) Append(key string, t time.Time, v float64) {
	s.mu.Lock()
	s.appendLocked(key, t, v)
	s.touchLocked()
	s.mu.Unlock()
}

func (s *Store) appendLocked(key string, t time.Time, v float64) {
	r := s.series[key]
	if r == nil {
		if s.series == nil {
			s.series = make(map[string]*Ring)
		}
		r = NewRing(s.capacity)
		s.series[key] = r
	}
	r.Add(t, v)
}

// Batch is a set of points written at once with Store.Write, so a reader sees
// either all of a tick's points or none.
type Batch struct {
	T      time.Time
	Keys   []string
	Values []float64
}

// Add queues value for the series named key. Reset the batch with b.Reset to
// reuse its buffers.
func (b *Batch) Add(key string, v float64) {
	b.Keys = append(b.Keys, key)
	b.Values = append(b.Values, v)
}

// Reset empties the batch, keeping its buffers, and stamps it with t.
func (b *Batch) Reset(t time.Time) {
	b.T = t
	b.Keys = b.Keys[:0]
	b.Values = b.Values[:0]
}

// Write appends every point of b under one lock.
func (s *Store) Write(b *Batch) {
	s.mu.Lock()
	for i, k := range b.Keys {
		s.appendLocked(k, b.T, b.Values[i])
	}
	s.touchLocked()
	s.mu.Unlock()
}

// SetHost publishes the latest host sample. The store keeps h as given:
// the caller must not modify h's slices afterwards.
func (s *Store) SetHost(h Host) {
	s.mu.Lock()
	s.host = h
	s.touchLocked()
	s.mu.Unlock()
}

// SetLoadTest publishes the load test's state. The store keeps l as given:
// the caller must not modify it afterwards.
func (s *Store) SetLoadTest(l *LoadTest) {
	s.mu.Lock()
	s.loadTest = l
	s.touchLocked()
	s.mu.Unlock()
}

// SetHealth records the health of the source called name.
func (s *Store) SetHealth(name string, h Health) {
	s.mu.Lock()
	if s.health == nil {
		s.health = make(map[string]Health)
	}
	s.health[name] = h
	s.touchLocked()
	s.mu.Unlock()
}

// touchLocked marks a write: a new version, and a wake-up for everyone
// waiting on Changed.
func (s *Store) touchLocked() {
	s.version++
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// Changed returns a channel that is closed at the store's next write, so a
// view can redraw as soon as data arrives instead of polling on its own
// clock, out of phase with the sources.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// Tx writes to a Store inside Update: every write of a Tx lands under one
// lock and wakes readers once, so a reader never sees half a sample.
type Tx struct{ s *Store }

// Write appends every point of b.
func (tx Tx) Write(b *Batch) {
	for i, k := range b.Keys {
		tx.s.appendLocked(k, b.T, b.Values[i])
	}
}

// SetHost publishes h, as Store.SetHost.
func (tx Tx) SetHost(h Host) { tx.s.host = h }

// SetFleet publishes the fleet; f is never modified after.
func (tx Tx) SetFleet(f *Fleet) { tx.s.fleet = f }

// SetProfile publishes the target's profiling; p is never modified after.
func (tx Tx) SetProfile(p *Profile) { tx.s.profile = p }

// SetRemoteHost publishes a sample of the remote host name (a node_exporter
// perftop scrapes); its series are under HostKey(name, key).
func (tx Tx) SetRemoteHost(name string, h Host) {
	if tx.s.hosts == nil {
		tx.s.hosts = make(map[string]Host)
	}
	tx.s.hosts[name] = h
}

// SetHealth records a source's health, as Store.SetHealth.
func (tx Tx) SetHealth(name string, h Health) {
	if tx.s.health == nil {
		tx.s.health = make(map[string]Health)
	}
	tx.s.health[name] = h
}

// SetLoadTest publishes a load test's state, as Store.SetLoadTest.
func (tx Tx) SetLoadTest(l *LoadTest) { tx.s.loadTest = l }

// SetPromQL publishes the PromQL panels' results. The store keeps r as
// given: the caller must not modify it afterwards.
func (tx Tx) SetPromQL(r []PromQLResult) { tx.s.promql = r }

// SetPromTarget publishes a scraped target's state under its URL. The store
// keeps t as given: the caller must not modify it afterwards.
func (tx Tx) SetPromTarget(t *PromTarget) {
	if tx.s.prom == nil {
		tx.s.prom = make(map[string]*PromTarget)
	}
	tx.s.prom[t.URL] = t
}

// Update runs fn with a Tx and publishes everything it wrote at once.
// fn must not call the Store's own methods.
func (s *Store) Update(fn func(tx Tx)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(Tx{s})
	s.touchLocked()
}

// Version returns a number that changes whenever the store does, so a reader
// can skip a snapshot (and a redraw) when nothing is new.
func (s *Store) Version() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version
}

// Snapshot is a consistent copy of a Store at one moment. Its Host shares
// slices with the store, which never modifies a published Host.
type Snapshot struct {
	Version uint64
	Host    Host
	// Hosts are the remote hosts' latest samples, by name.
	Hosts map[string]Host
	// Profile is the target's profiling (--pprof); nil without it.
	Profile *Profile
	// Fleet is the fleet of runners (--fleet); nil without it.
	Fleet    *Fleet
	LoadTest *LoadTest // nil when no load test runs; never modified once published
	// Prom holds the scraped targets by URL; never modified once published.
	Prom map[string]*PromTarget
	// PromQL holds the PromQL panels' results, in the panels' order; never
	// modified once published.
	PromQL []PromQLResult
	Series map[string][]Point
	Health map[string]Health
}

// Get returns the points of the series named key, oldest first, or nil.
func (sn *Snapshot) Get(key string) []Point { return sn.Series[key] }

// Keys returns the snapshot's series names in order.
func (sn *Snapshot) Keys() []string {
	keys := make([]string, 0, len(sn.Series))
	for k := range sn.Series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Snapshot fills dst with a copy of the store, reusing dst's buffers so that a
// reader taking a snapshot every frame allocates nothing once warmed up.
func (s *Store) Snapshot(dst *Snapshot) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	dst.Version = s.version
	dst.Host = s.host
	if dst.Hosts == nil && len(s.hosts) > 0 {
		dst.Hosts = make(map[string]Host, len(s.hosts))
	}
	clear(dst.Hosts)
	for k, h := range s.hosts {
		dst.Hosts[k] = h
	}
	dst.LoadTest = s.loadTest
	dst.Profile = s.profile
	dst.Fleet = s.fleet
	dst.PromQL = s.promql
	if dst.Prom == nil && len(s.prom) > 0 {
		dst.Prom = make(map[string]*PromTarget, len(s.prom))
	}
	clear(dst.Prom)
	for k, t := range s.prom {
		dst.Prom[k] = t
	}
	if dst.Series == nil {
		dst.Series = make(map[string][]Point, len(s.series))
	}
	for k, pts := range dst.Series {
		if _, ok := s.series[k]; !ok {
			delete(dst.Series, k)
			continue
		}
		dst.Series[k] = pts[:0]
	}
	for k, r := range s.series {
		dst.Series[k] = r.AppendTo(dst.Series[k])
	}
	if dst.Health == nil {
		dst.Health = make(map[string]Health, len(s.health))
	}
	clear(dst.Health)
	for k, h := range s.health {
		dst.Health[k] = h
	}
}
