package metrics

// Tier kinds, in the order of the request path (the Stack screen's order).
const (
	TierLoadBalancer = "load balancer"
	TierApplication  = "application"
	TierCache        = "cache"
	TierDatabase     = "database"
)

// Units of a TierValue.
const (
	UnitPerSecond = "/s"      // a rate
	UnitRatio     = "ratio"   // 0..1
	UnitBytes     = "bytes"   // a size
	UnitCount     = "count"   // a level or a total
	UnitSeconds   = "seconds" // a duration
)

// Limits on what a tier keeps of a target, which is data from outside: a
// proxy with thousands of servers shows the first ones, not all.
const (
	MaxTierBackends   = 64
	MaxTierStatements = 10
)

// Tier is the part of the stack a scraped target is, recognised from its
// exporter's metric families, and the numbers that matter for it. The zero
// value is not a tier: a target perftop does not recognise has none (nil).
type Tier struct {
	// Kind is TierLoadBalancer, TierApplication, TierCache or TierDatabase.
	Kind string `json:"kind"`
	// Software is the exporter's subject: "haproxy", "nginx", "redis",
	// "postgresql"; empty for an application.
	Software string `json:"software,omitempty"`
	// Version is the software's version where the exporter says it.
	Version string `json:"version,omitempty"`
	// Values are the tier's numbers in display order.
	Values []TierValue `json:"values"`
	// Backends are a load balancer's servers (HAProxy: per server of each
	// backend), at most MaxTierBackends, in the exporter's order.
	Backends []TierBackend `json:"backends,omitempty"`
	// BackendsNote says why Backends is empty, e.g. "not exported by
	// nginx's stub_status".
	BackendsNote string `json:"backends_note,omitempty"`
	// Statements are a database's slowest statements by mean time, slowest
	// first, at most MaxTierStatements.
	Statements []TierStatement `json:"statements,omitempty"`
	// StatementsNote says why Statements is empty, e.g.
	// "pg_stat_statements not exposed".
	StatementsNote string `json:"statements_note,omitempty"`
}

// Value returns the value named name and whether the tier has it known.
func (t *Tier) Value(name string) (float64, bool) {
	if t == nil {
		return 0, false
	}
	for _, v := range t.Values {
		if v.Name == name {
			return v.Value, v.Known
		}
	}
	return 0, false
}

// TierValue is one number of a tier panel, e.g. "hit ratio" 0.93 "ratio".
// Known false means the target does not export it (or a rate has no
// previous scrape yet): the screen says "not exported", or Note if set.
type TierValue struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"` // UnitPerSecond, UnitRatio, UnitBytes, UnitCount or UnitSeconds
	Known bool    `json:"known"`
	// Note qualifies the value in words, e.g. "no limit" for a maxmemory
	// of 0, or "since start" for a ratio from totals.
	Note string `json:"note,omitempty"`
}

// TierBackend is one server behind a load balancer: its health and its
// share of the requests, to check a weighted or least-connections split.
type TierBackend struct {
	// Group is the HAProxy backend (the proxy) the server belongs to.
	Group string `json:"group"`
	// Name is the server's name in its group.
	Name string `json:"name"`
	// State is the exporter's word for its health: "UP", "DOWN", "MAINT",
	// "DRAIN", "NOLB"...; Up is true for UP only.
	State string `json:"state"`
	Up    bool   `json:"up"`
	// Weight is the configured weight; 0 when not exported.
	Weight float64 `json:"weight"`
	// Rate is the server's requests per second over the last interval and
	// Share its part of its group's (0..1, 0 when the group had none);
	// Known is false until two scrapes have been taken.
	Rate  float64 `json:"rate"`
	Share float64 `json:"share"`
	Known bool    `json:"known"`
	// Total is the server's requests since the load balancer started and
	// TotalShare its part of its group's.
	Total      float64 `json:"total"`
	TotalShare float64 `json:"total_share"`
}

// TierStatement is one statement of a database, from pg_stat_statements.
type TierStatement struct {
	// Query is the statement's text on one line (cut), or "queryid N" when
	// the exporter gives no text.
	Query    string `json:"query"`
	Database string `json:"database,omitempty"`
	// MeanSeconds is the mean execution time since the statistics were
	// reset, Calls the executions in that time.
	MeanSeconds float64 `json:"mean_seconds"`
	Calls       float64 `json:"calls"`
}
