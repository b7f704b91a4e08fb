package ingest_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/loadgen"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// serverCPU adds up the CPU time of the PostgreSQL server processes that
// serve this process's connections, over the spans between start and
// stop, when the server runs on this machine (its /proc is readable);
// ok is false otherwise. A benchmark reports it beside its own CPU time,
// since on PostgreSQL much of the work is the server's.
type serverCPU struct {
	db   *sql.DB
	from map[int]time.Duration
	used time.Duration
	ok   bool
}

// newServerCPU returns a meter of the PostgreSQL backends of this
// process; it measures nothing (ok false) without a local server.
func newServerCPU(b *testing.B) *serverCPU {
	b.Helper()
	m := &serverCPU{}
	url := os.Getenv(storetest.PostgresEnv)
	if url == "" {
		return m
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	m.db, m.ok = db, true
	return m
}

func (m *serverCPU) start(b *testing.B) {
	if m.ok {
		m.from = m.read(b)
	}
}

func (m *serverCPU) stop(b *testing.B) {
	if !m.ok || m.from == nil {
		return
	}
	for pid, t := range m.read(b) {
		m.used += t - m.from[pid] // a backend started meanwhile counts from 0
	}
	m.from = nil
}

// read returns the CPU time of each backend serving one of this process's
// connections (the meter's own excluded).
func (m *serverCPU) read(b *testing.B) map[int]time.Duration {
	ports := localPorts(b)
	rows, err := m.db.QueryContext(context.Background(),
		`SELECT pid, client_port FROM pg_stat_activity WHERE client_port IS NOT NULL AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid, port int
		if err := rows.Scan(&pid, &port); err != nil {
			b.Fatal(err)
		}
		if !ports[port] {
			continue
		}
		t, err := loadgen.ProcessCPU(pid)
		if err != nil {
			m.ok = false // not a server on this machine
			return nil
		}
		out[pid] = t
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// localPorts are the local ports of this process's TCP connections.
func localPorts(b *testing.B) map[int]bool {
	inodes := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		b.Fatal(err)
	}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	ports := map[int]bool{}
	for _, table := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fs := strings.Fields(sc.Text())
			if len(fs) < 10 || !inodes[fs[9]] {
				continue
			}
			_, port, _ := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseInt(port, 16, 32); err == nil {
				ports[int(p)] = true
			}
		}
		f.Close()
	}
	return ports
}
