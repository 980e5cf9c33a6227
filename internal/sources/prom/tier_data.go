package prom

import (
	"cmp"
	"math"
	"slices"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// Redis through prometheus-redis-exporter (oliver006/redis_exporter),
// redis_* scrapeFamilies.
func detectRedis(fs scrapeFamilies) bool {
	return fs.has("redis_keyspace_hits_total", "redis_commands_processed_total", "redis_connected_clients")
}

func deriveRedis(fs scrapeFamilies, rate rateFunc) *metrics.Tier {
	hitR, okHR := fs.rateSum("redis_keyspace_hits_total", nil, rate)
	missR, okMR := fs.rateSum("redis_keyspace_misses_total", nil, rate)
	hits, okH := fs.sum("redis_keyspace_hits_total", nil)
	misses, okM := fs.sum("redis_keyspace_misses_total", nil)
	since := ratio("hit ratio since start", hits, hits+misses, okH && okM, "no lookups yet")
	maxMem := fs.level("memory max", "redis_memory_max_bytes", metrics.UnitBytes, nil)
	if maxMem.Known && maxMem.Value == 0 {
		maxMem.Known, maxMem.Note = false, "no limit (maxmemory 0)"
	}
	return &metrics.Tier{
		Version: fs.firstLabelValue("redis_instance_info", "redis_version"),
		Values: []metrics.TierValue{
			ratio("hit ratio", hitR, hitR+missR, okHR && okMR, "no lookups in the interval"),
			since,
			fs.perSecond("ops", "redis_commands_processed_total", nil, rate),
			fs.level("memory used", "redis_memory_used_bytes", metrics.UnitBytes, nil),
			maxMem,
			fs.perSecond("evictions", "redis_evicted_keys_total", nil, rate),
			fs.level("connected clients", "redis_connected_clients", metrics.UnitCount, nil),
		},
	}
}

// PostgreSQL through prometheus-postgres-exporter, pg_* scrapeFamilies; the
// slowest statements from pg_stat_statements when the exporter is given a
// query for them (see the README) or runs its stat_statements collector.
func detectPostgres(fs scrapeFamilies) bool {
	return fs.has("pg_stat_database_xact_commit", "pg_settings_max_connections", "pg_up")
}

func derivePostgres(fs scrapeFamilies, rate rateFunc) *metrics.Tier {
	tx := fs.perSecond("transactions", "pg_stat_database_xact_commit", nil, rate)
	if rb, ok := fs.rateSum("pg_stat_database_xact_rollback", nil, rate); ok {
		tx.Value, tx.Known = tx.Value+rb, true
	}
	hitR, okHR := fs.rateSum("pg_stat_database_blks_hit", nil, rate)
	readR, okRR := fs.rateSum("pg_stat_database_blks_read", nil, rate)
	hits, okH := fs.sum("pg_stat_database_blks_hit", nil)
	reads, okR := fs.sum("pg_stat_database_blks_read", nil)
	t := &metrics.Tier{
		Version: fs.firstLabelValue("pg_static", "short_version"),
		Values: []metrics.TierValue{
			tx,
			fs.level("active connections", "pg_stat_activity_count", metrics.UnitCount, labelIs("state", "active")),
			fs.level("connections", "pg_stat_database_numbackends", metrics.UnitCount, nil),
			fs.level("max connections", "pg_settings_max_connections", metrics.UnitCount, nil),
			ratio("buffer cache hit ratio", hitR, hitR+readR, okHR && okRR, "no blocks read in the interval"),
			ratio("buffer cache hit ratio since start", hits, hits+reads, okH && okR, "no blocks read yet"),
			fs.perSecond("deadlocks", "pg_stat_database_deadlocks", nil, rate),
			fs.level("deadlocks since start", "pg_stat_database_deadlocks", metrics.UnitCount, nil),
			fs.perSecond("rows fetched", "pg_stat_database_tup_fetched", nil, rate),
			fs.perSecond("rows returned", "pg_stat_database_tup_returned", nil, rate),
		},
	}
	t.Statements = slowestStatements(fs)
	switch {
	case t.Statements == nil:
		t.StatementsNote = "pg_stat_statements not exposed"
	case len(t.Statements) == 0:
		t.StatementsNote = "no statements recorded"
	}
	return t
}

// Families of pg_stat_statements: the exporter's classic custom query
// (queries.yaml: calls, total_time_seconds, mean_time_seconds) and its
// stat_statements collector (0.13 on: calls_total, seconds_total).
var (
	statementCalls = []string{"pg_stat_statements_calls", "pg_stat_statements_calls_total"}
	statementTotal = []string{"pg_stat_statements_total_time_seconds", "pg_stat_statements_seconds_total"}
)

// slowestStatements are the MaxTierStatements statements with the highest
// mean time, nil when the exporter has none. A statement is one label set
// (queryid, database, user, text) across the scrapeFamilies.
func slowestStatements(fs scrapeFamilies) []metrics.TierStatement {
	var calls, total *dto.MetricFamily
	for _, n := range statementCalls {
		calls = cmp.Or(calls, fs[n])
	}
	for _, n := range statementTotal {
		total = cmp.Or(total, fs[n])
	}
	mean := fs["pg_stat_statements_mean_time_seconds"]
	if calls == nil || mean == nil && total == nil {
		return nil
	}
	type stmt struct {
		m                  *dto.Metric
		calls, mean, total float64
		hasMean            bool
	}
	byLabels := make(map[uint64]*stmt, len(calls.GetMetric()))
	for _, m := range calls.GetMetric() {
		if v := value(m); usable(v) {
			byLabels[seriesKey("", m)] = &stmt{m: m, calls: v}
		}
	}
	if mean != nil {
		for _, m := range mean.GetMetric() {
			if s := byLabels[seriesKey("", m)]; s != nil && usable(value(m)) {
				s.mean, s.hasMean = value(m), true
			}
		}
	} else {
		for _, m := range total.GetMetric() {
			if s := byLabels[seriesKey("", m)]; s != nil && usable(value(m)) && s.calls > 0 {
				s.mean, s.hasMean = value(m)/s.calls, true
			}
		}
	}
	all := make([]*stmt, 0, len(byLabels))
	for _, s := range byLabels {
		if s.hasMean && !math.IsInf(s.mean, 0) {
			all = append(all, s)
		}
	}
	slices.SortFunc(all, func(a, b *stmt) int {
		if c := cmp.Compare(b.mean, a.mean); c != 0 {
			return c
		}
		return cmp.Compare(labelValue(a.m, "queryid"), labelValue(b.m, "queryid"))
	})
	out := make([]metrics.TierStatement, 0, min(len(all), metrics.MaxTierStatements))
	for _, s := range all[:min(len(all), metrics.MaxTierStatements)] {
		q := labelValue(s.m, "query")
		if q == "" {
			q = "queryid " + labelValue(s.m, "queryid")
		}
		out = append(out, metrics.TierStatement{
			Query:       printable.Line(printable.Cut(q, 200)),
			Database:    printable.Line(printable.Cut(labelValue(s.m, "datname"), 64)),
			MeanSeconds: s.mean, Calls: s.calls,
		})
	}
	return out
}
