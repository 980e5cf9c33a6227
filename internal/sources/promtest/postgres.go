package promtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// PostgresExporterPath is where Debian's prometheus-postgres-exporter
// package puts the exporter. The server's binaries are under
// /usr/lib/postgresql/VERSION/bin (postgresBinGlob), the newest is used.
const (
	PostgresExporterPath = "/usr/bin/prometheus-postgres-exporter"
	postgresBinGlob      = "/usr/lib/postgresql/*/bin"
)

// PgStatStatementsQueries is a custom query file for postgres_exporter
// (--extend.query-path) that exports the 20 statements with the highest
// mean time from pg_stat_statements (PostgreSQL 13 on), as families
// pg_stat_statements_{calls,total_time_seconds,mean_time_seconds,rows}
// labelled queryid, datname and query. The README quotes it.
const PgStatStatementsQueries = `pg_stat_statements:
  query: "SELECT s.queryid::text AS queryid, d.datname, left(s.query, 200) AS query, s.calls, s.total_exec_time / 1000 AS total_time_seconds, s.mean_exec_time / 1000 AS mean_time_seconds, s.rows FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid ORDER BY s.mean_exec_time DESC LIMIT 20"
  metrics:
    - queryid: {usage: "LABEL", description: "Query ID"}
    - datname: {usage: "LABEL", description: "Database"}
    - query: {usage: "LABEL", description: "Statement text, cut to 200 characters"}
    - calls: {usage: "COUNTER", description: "Times executed"}
    - total_time_seconds: {usage: "COUNTER", description: "Total time in the statement, in seconds"}
    - mean_time_seconds: {usage: "GAUGE", description: "Mean time in the statement, in seconds"}
    - rows: {usage: "COUNTER", description: "Rows retrieved or affected"}
`

// Postgres is a running PostgreSQL server, stopped when its test ends. Its
// superuser is postgres, trusted from loopback without a password.
type Postgres struct {
	Addr string // host:port
	// DSN is a URL for the postgres database as the superuser.
	DSN string
	// Bin is the directory of the server's binaries (psql, pgbench...).
	Bin string

	proc *process
}

// Log returns the end of the server's log, for failure messages.
func (p *Postgres) Log() string { return p.proc.log() }

// Psql runs psql with args against the server and returns its output.
func (p *Postgres) Psql(args ...string) ([]byte, error) {
	host, port, _ := net.SplitHostPort(p.Addr)
	cmd := exec.Command(filepath.Join(p.Bin, "psql"), append([]string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "postgres", "-d", "postgres"}, args...)...)
	return cmd.CombinedOutput()
}

// postgresBin is the newest installed server's binary directory.
func postgresBin(t testing.TB) string {
	t.Helper()
	dirs, _ := filepath.Glob(postgresBinGlob)
	dirs = slices.DeleteFunc(dirs, func(d string) bool { _, err := os.Stat(filepath.Join(d, "postgres")); return err != nil })
	if len(dirs) == 0 {
		t.Fatalf("PostgreSQL not found (looked in %s): run `make test`, which installs the test dependencies (.ci/deps), or `apt-get install postgresql`", postgresBinGlob)
	}
	slices.Sort(dirs) // versions 10 on: two digits sort right
	return dirs[len(dirs)-1]
}

// serverUser is who runs initdb and postgres: this user, or when the test
// runs as root (PostgreSQL refuses to) the postgres user the package
// creates, else nobody. Nil when there is no one.
func serverUser() (*user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			return u, nil
		}
	}
	return nil, errors.New("the tests run as root, PostgreSQL refuses to, and there is no postgres or nobody user to run it as")
}

// StartPostgres initialises a cluster in a temporary directory (initdb,
// trust authentication, superuser postgres) and starts it on a free
// loopback port with its socket in that directory and fsync off, plus args
// (e.g. "-c", "shared_preload_libraries=pg_stat_statements"), and waits
// until it accepts connections. As root, both run as the postgres user.
// The server is stopped (SIGTERM: a fast shutdown) when the test ends. A
// missing PostgreSQL fails the test; one that cannot run here is
// unavailable (skipped, or failed with CI set).
func StartPostgres(t testing.TB, args ...string) *Postgres {
	t.Helper()
	bin := postgresBin(t)
	u, err := serverUser()
	if err != nil {
		unavailable(t, "start postgres: %v", err)
	}
	// Not t.TempDir: its parent is root's and closed to the server's user.
	dir, err := os.MkdirTemp("", "promtest-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	as := func(cmd *exec.Cmd) {
		if u == nil {
			return
		}
		if err := runAs(cmd, u); err != nil {
			unavailable(t, "start postgres as %s: %v", u.Username, err)
		}
	}
	if u != nil {
		if err := chown(dir, u); err != nil {
			unavailable(t, "start postgres: give %s its directory: %v", u.Username, err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	initdb.Dir = dir
	as(initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		unavailable(t, "initdb: %v\n%s", err, out)
	}
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		host, port, _ := net.SplitHostPort(addr)
		cmd := newCmd(dir, filepath.Join(bin, "postgres"), append([]string{"-D", data, "-p", port, "-k", dir,
			"-c", "listen_addresses=" + host, "-c", "fsync=off", "-c", "logging_collector=off"}, args...), nil)
		as(cmd)
		proc, err := startCmd("postgres", cmd, filepath.Join(dir, fmt.Sprintf("postgres-%d.log", attempt)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		ready := func() error {
			out, err := exec.Command(filepath.Join(bin, "pg_isready"), "-q", "-h", host, "-p", port, "-U", "postgres").CombinedOutput()
			if err != nil {
				return fmt.Errorf("pg_isready: %v %s", err, out)
			}
			return nil
		}
		err = proc.waitFor(ready, StartTimeout)
		if err == nil {
			return &Postgres{Addr: addr, DSN: "postgresql://postgres@" + addr + "/postgres?sslmode=disable", Bin: bin, proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		unavailable(t, "start postgres: %v\nlog:\n%s", err, proc.log())
	}
}

// StartPostgresExporter starts prometheus-postgres-exporter for dsn
// (DATA_SOURCE_NAME) on a free loopback port, plus args, and waits until it
// answers. It is stopped when the test ends.
func StartPostgresExporter(t testing.TB, dsn string, args ...string) *Exporter {
	t.Helper()
	bin := findBinary(t, "prometheus-postgres-exporter", PostgresExporterPath, "prometheus-postgres-exporter")
	return startExporter(t, "postgres_exporter", func(addr string) []string {
		return append([]string{bin, "--web.listen-address=" + addr}, args...)
	}, []string{"DATA_SOURCE_NAME=" + dsn})
}

// chown gives dir to u.
func chown(dir string, u *user.User) error {
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("uid %q gid %q are not numbers", u.Uid, u.Gid)
	}
	return os.Chown(dir, uid, gid)
}
