package main

import (
	"os"
	"strings"
	"time"

	promconfig "github.com/prometheus/common/config"
	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/session"
	"github.com/perftop/perftop/internal/sources/load"
	"github.com/perftop/perftop/internal/sources/nodeexp"
	"github.com/perftop/perftop/internal/sources/prom"
	"github.com/perftop/perftop/internal/sources/promql"
)

// promFlags are the Prometheus flags every command that shows data shares.
type promFlags struct {
	hostQueries []string
	fleet       bool
	fleetWindow time.Duration
	targets     []string
	nodes       []string
	server      string
	queries     []string
	tokenFile   string
	user        string
	passFile    string
	caFile      string
	certFile    string
	keyFile     string
	insecure    bool
	seriesLimit int64
	bodyLimit   byteSize
	queryLimit  byteSize
	querySeries int
}

func (f *promFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringArrayVar(&f.targets, "prom", nil, "scrape a Prometheus `URL` (a /metrics endpoint) directly; repeatable")
	fl.StringArrayVar(&f.nodes, "node", nil, "a remote host's node_exporter `URL` (http://db-1:9100/metrics): its CPU, memory, disk and network on the host screens, h switches hosts; repeatable")
	fl.StringArrayVar(&f.hostQueries, "host-query", nil, "a remote host read from --prom-server: the `instance` label of its node_exporter (db-1:9100); repeatable, like --node")
	fl.BoolVar(&f.fleet, "fleet", false, "show the fleet of runners (perftop run --shard --metrics-addr) that --prom-server scrapes, as one test")
	fl.DurationVar(&f.fleetWindow, "fleet-window", promql.DefaultFleetWindow, "the fleet's rate window: at least 4 of the server's scrape intervals")
	fl.StringVar(&f.server, "prom-server", "", "a Prometheus server `URL` to run --query panels against")
	fl.StringArrayVar(&f.queries, "query", nil, "a PromQL panel, `'title=EXPR'` or just EXPR; repeatable")
	fl.StringVar(&f.tokenFile, "prom-bearer-token-file", "", "send the bearer token in `file` to --prom and --prom-server")
	fl.StringVar(&f.user, "prom-user", "", "basic auth user for --prom and --prom-server")
	fl.StringVar(&f.passFile, "prom-password-file", "", "basic auth password in `file`")
	fl.StringVar(&f.caFile, "prom-ca-file", "", "verify Prometheus endpoints with the CA in `file`")
	fl.StringVar(&f.certFile, "prom-cert-file", "", "client certificate `file` for --prom and --prom-server")
	fl.StringVar(&f.keyFile, "prom-key-file", "", "client key `file`")
	fl.BoolVar(&f.insecure, "prom-insecure", false, "skip TLS verification of Prometheus endpoints")
	fl.Int64Var(&f.seriesLimit, "prom-series-limit", prom.DefaultSeriesLimit, "most series a scrape may return")
	f.bodyLimit, f.queryLimit = prom.DefaultBodyLimit, promql.DefaultBodyLimit
	fl.Var(&f.bodyLimit, "prom-body-limit", "largest scrape body, after decompression, e.g. 32MiB")
	fl.Var(&f.queryLimit, "query-body-limit", "largest PromQL answer, after decompression, e.g. 64MiB")
	fl.IntVar(&f.querySeries, "query-max-series", promql.DefaultMaxSeries, "series drawn per --query panel (those with the highest newest values)")
}

// promTarget is a scrape target as the config file gives it, in the shape
// of Prometheus's own http_client_config.
type promTarget struct {
	URL        string                       `yaml:"url"`
	HTTPClient *promconfig.HTTPClientConfig `yaml:"http_client_config"`
	RED        prom.Config                  `yaml:"red"`
}

// promServer is the PromQL server as the config file gives it.
type promServer struct {
	URL        string                       `yaml:"url"`
	HTTPClient *promconfig.HTTPClientConfig `yaml:"http_client_config"`
}

// promSetup is the validated Prometheus part of the config: what to scrape
// and what to query, as options; nothing is started.
type promSetup struct {
	targets []prom.Options
	server  *promql.Options
	nodes   []session.Node
	fleet   *promql.FleetOptions
}

// httpConfig builds the client config the flags describe, checking that
// every file they name can be read: a missing token is a usage error now,
// not a 401 later.
func (f *promFlags) httpConfig() (*promconfig.HTTPClientConfig, error) {
	c := promconfig.DefaultHTTPClientConfig
	for flag, file := range map[string]string{"--prom-bearer-token-file": f.tokenFile, "--prom-password-file": f.passFile,
		"--prom-ca-file": f.caFile, "--prom-cert-file": f.certFile, "--prom-key-file": f.keyFile} {
		if file == "" {
			continue
		}
		if _, err := os.ReadFile(file); err != nil {
			return nil, usagef("%s: %v", flag, err)
		}
	}
	if f.tokenFile != "" {
		c.Authorization = &promconfig.Authorization{Type: "Bearer", CredentialsFile: f.tokenFile}
	}
	if f.user != "" {
		c.BasicAuth = &promconfig.BasicAuth{Username: f.user, PasswordFile: f.passFile}
	}
	c.TLSConfig = promconfig.TLSConfig{CAFile: f.caFile, CertFile: f.certFile, KeyFile: f.keyFile, InsecureSkipVerify: f.insecure}
	if err := c.Validate(); err != nil {
		return nil, usagef("Prometheus client settings: %v", err)
	}
	return &c, nil
}

// setup validates flags and config-file entries into scrapers and a PromQL
// source. Flags add to the config file's targets and queries.
func (f *promFlags) setup(cfg config, interval time.Duration) (*promSetup, error) {
	hc, err := f.httpConfig()
	if err != nil {
		return nil, err
	}
	if f.seriesLimit < 1 || f.querySeries < 1 {
		return nil, usagef("--prom-series-limit and --query-max-series want 1 or more")
	}
	var s promSetup
	targets := append([]promTarget(nil), cfg.Prom...)
	for _, u := range f.targets {
		targets = append(targets, promTarget{URL: u, HTTPClient: hc})
	}
	for _, t := range targets {
		if _, err := load.ParseURL(t.URL); err != nil {
			return nil, usagef("--prom: %v", err)
		}
		c := t.HTTPClient
		if c == nil {
			c = hc
		}
		client, err := promconfig.NewClientFromConfig(*c, "perftop")
		if err != nil {
			return nil, usagef("--prom %s: %v", t.URL, err)
		}
		s.targets = append(s.targets, prom.Options{URL: t.URL, Interval: interval, Client: client, Config: t.RED, SeriesLimit: f.seriesLimit,
			BodyLimit: int64(f.bodyLimit)})
	}
	for _, u := range f.nodes {
		parsed, err := load.ParseURL(u)
		if err != nil {
			return nil, usagef("--node: %v", err)
		}
		client, err := promconfig.NewClientFromConfig(*hc, "perftop")
		if err != nil {
			return nil, usagef("--node %s: %v", u, err)
		}
		s.nodes = append(s.nodes, session.Node{Name: parsed.Host, URL: u, Client: client,
			Limits: prom.Limits{BodyLimit: int64(f.bodyLimit), SeriesLimit: f.seriesLimit}})
	}
	server := cfg.PromServer
	if f.server != "" {
		server = promServer{URL: f.server, HTTPClient: hc}
	}
	panels := append([]promql.Panel(nil), cfg.Queries...)
	for _, q := range f.queries {
		p, err := promql.ParsePanel(q)
		if err != nil {
			return nil, usagef("--query %q: %v", q, err)
		}
		panels = append(panels, p)
	}
	switch {
	case server.URL == "" && len(panels) > 0:
		return nil, usagef("--query needs --prom-server (a Prometheus server to ask)")
	case server.URL == "" && f.fleet:
		return nil, usagef("--fleet needs --prom-server (the Prometheus server that scrapes the runners)")
	case server.URL == "" && len(f.hostQueries) > 0:
		return nil, usagef("--host-query needs --prom-server (the Prometheus server that scrapes the node_exporter)")
	case server.URL != "" && len(panels) == 0 && !f.fleet && len(f.hostQueries) == 0:
		return nil, usagef("--prom-server needs at least one --query 'title=EXPR', --fleet or --host-query")
	case f.fleetWindow < time.Second:
		return nil, usagef("invalid --fleet-window %s: want 1s or more (4 scrape intervals)", f.fleetWindow)
	}
	if server.URL == "" {
		return &s, nil
	}
	if _, err := load.ParseURL(server.URL); err != nil {
		return nil, usagef("--prom-server: %v", err)
	}
	c := server.HTTPClient
	if c == nil {
		c = hc
	}
	co := promql.ClientOptions{Server: server.URL, HTTPConfig: c, BodyLimit: int64(f.queryLimit)}
	if len(panels) > 0 {
		s.server = &promql.Options{ClientOptions: co, Panels: panels, Interval: interval, MaxSeries: f.querySeries}
	}
	if f.fleet {
		s.fleet = &promql.FleetOptions{ClientOptions: co, Interval: interval, Window: f.fleetWindow}
	}
	for _, inst := range f.hostQueries {
		if inst == "" || strings.ContainsAny(inst, "\"\n") {
			return nil, usagef("invalid --host-query %q: want an instance label such as db-1:9100", inst)
		}
		c, err := promql.NewClient(co)
		if err != nil {
			return nil, usagef("--host-query: %v", err)
		}
		s.nodes = append(s.nodes, session.Node{Name: inst, Reader: &nodeexp.QueryReader{Client: c, Instance: inst}})
	}
	return &s, nil
}
