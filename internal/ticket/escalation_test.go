package ticket

import (
	"testing"
	"time"
	_ "time/tzdata" // the walk needs Europe/Berlin wherever the tests run

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatalf("load Europe/Berlin: %v", err)
	}
	return loc
}

func policy(t *testing.T, loc *time.Location) EscalationPolicy {
	t.Helper()
	p, err := NewEscalationPolicy(loc, "09:00", "18:00", []int{7, 3, 1})
	if err != nil {
		t.Fatalf("NewEscalationPolicy: %v", err)
	}
	return p
}

// sent is one escalation the simulated monitor sent.
type sent struct {
	Threshold int
	At        time.Time
}

// walk runs the deadline monitor every 15 minutes of simulated time over
// [from, to): each escalation the policy allows now is "sent" unless the
// simulated notification log already holds it — the unique key that makes
// a threshold go out at most once. A breach moves the ticket to breached,
// as the monitor does; change, when set, may alter the ticket first.
func walk(p EscalationPolicy, tk Ticket, from, to time.Time, change func(now time.Time, tk *Ticket)) (log []sent, firstDue map[int]time.Time) {
	logged := map[int]bool{}
	firstDue = map[int]time.Time{}
	for now := from; now.Before(to); now = now.Add(15 * time.Minute) {
		if change != nil {
			change(now, &tk)
		}
		for _, e := range p.Due(tk, now) {
			if _, ok := firstDue[e.Threshold]; !ok {
				firstDue[e.Threshold] = now
			}
			if !e.Now || logged[e.Threshold] {
				continue
			}
			logged[e.Threshold] = true
			log = append(log, sent{e.Threshold, now})
			if e.Breach() {
				tk.Status = Breached
			}
		}
	}
	return log, firstDue
}

// TestEscalationWalk walks a ticket due on Saturday 3 April 2027 in
// Europe/Berlin from D-10 to D+1 in 15-minute steps. D-7 falls on Saturday
// 27 March and waits for Monday 09:00 — across the switch to summer time on
// Sunday 28 March, so 09:00 is 08:00Z before it and 07:00Z after.
func TestEscalationWalk(t *testing.T) {
	loc := berlin(t)
	p := policy(t, loc)
	local := func(day, hour int) time.Time { return time.Date(2027, 3, day, hour, 0, 0, 0, loc) }
	due, _ := Date("2027-04-03").EndOf(loc) // 2027-04-03T21:59:59Z
	tk := Ticket{ID: "t1", Status: Open, DueAt: due}
	from, to := local(24, 0), local(36, 0) // D-10 00:00 to the end of D+1 (5 April 00:00)

	t.Run("every threshold once, at the right local time", func(t *testing.T) {
		log, firstDue := walk(p, tk, from, to, nil)
		want := []sent{
			{7, time.Date(2027, 3, 29, 7, 0, 0, 0, time.UTC)}, // Monday 09:00 CEST, deferred from Saturday
			{3, time.Date(2027, 3, 31, 7, 0, 0, 0, time.UTC)}, // Wednesday 09:00 CEST
			{1, time.Date(2027, 4, 1, 22, 0, 0, 0, time.UTC)}, // Friday 00:00 CEST, at once
			{0, time.Date(2027, 4, 3, 22, 0, 0, 0, time.UTC)}, // first check after 23:59:59 CEST Saturday
		}
		if diff := cmp.Diff(want, log); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
		wantDue := map[int]time.Time{
			7: time.Date(2027, 3, 26, 23, 0, 0, 0, time.UTC), // Saturday 00:00 CET
			3: time.Date(2027, 3, 30, 22, 0, 0, 0, time.UTC), // Wednesday 00:00 CEST
			1: time.Date(2027, 4, 1, 22, 0, 0, 0, time.UTC),
			0: time.Date(2027, 4, 3, 22, 0, 0, 0, time.UTC),
		}
		if diff := cmp.Diff(wantDue, firstDue); diff != "" {
			t.Errorf("first due (-want +got):\n%s", diff)
		}
	})

	t.Run("resolve stops everything", func(t *testing.T) {
		resolveAt := local(30, 12) // Tuesday noon, after D-7 went out
		log, _ := walk(p, tk, from, to, func(now time.Time, tk *Ticket) {
			if !now.Before(resolveAt) {
				tk.Status = Resolved
			}
		})
		want := []sent{{7, time.Date(2027, 3, 29, 7, 0, 0, 0, time.UTC)}}
		if diff := cmp.Diff(want, log); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
	})

	t.Run("closed and breached tickets get nothing", func(t *testing.T) {
		for _, s := range []Status{Closed, Breached, Resolved} {
			tk := tk
			tk.Status = s
			if log, due := walk(p, tk, from, to, nil); len(log) != 0 || len(due) != 0 {
				t.Errorf("%s: sent %v, due %v; want nothing", s, log, due)
			}
		}
	})

	t.Run("in progress escalates like open", func(t *testing.T) {
		tk := tk
		tk.Status = InProgress
		if log, _ := walk(p, tk, from, to, nil); len(log) != 4 {
			t.Errorf("sent %v, want all four", log)
		}
	})

	t.Run("a late ticket skips superseded thresholds", func(t *testing.T) {
		// Created on Thursday 1 April with 2 days left: D-3 at once (working
		// hours), then D-1 and the breach; never a stale D-7.
		log, _ := walk(p, tk, time.Date(2027, 4, 1, 10, 0, 0, 0, loc), to, nil)
		want := []sent{
			{3, time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)},
			{1, time.Date(2027, 4, 1, 22, 0, 0, 0, time.UTC)},
			{0, time.Date(2027, 4, 3, 22, 0, 0, 0, time.UTC)},
		}
		if diff := cmp.Diff(want, log); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
	})
}

// TestEscalationDue checks single instants around each boundary.
func TestEscalationDue(t *testing.T) {
	loc := berlin(t)
	p := policy(t, loc)
	endOfApril3, _ := Date("2027-04-03").EndOf(loc)
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2027, month, day, hour, min, 0, 0, loc)
	}
	monday9 := at(3, 29, 9, 0)
	tests := []struct {
		name string
		due  time.Time
		now  time.Time
		want []Escalation
	}{
		{"D-8 is quiet", endOfApril3, at(3, 26, 23, 59), nil},
		{"D-7 on Saturday waits for Monday", endOfApril3, at(3, 27, 0, 0),
			[]Escalation{{Threshold: 7, DaysLeft: 7, SendAt: monday9}}},
		{"Sunday during the DST switch still waits for Monday 09:00 local", endOfApril3, at(3, 28, 3, 0),
			[]Escalation{{Threshold: 7, DaysLeft: 6, SendAt: monday9}}},
		{"Monday 08:59 waits a minute", endOfApril3, at(3, 29, 8, 59),
			[]Escalation{{Threshold: 7, DaysLeft: 5, SendAt: monday9}}},
		{"Monday 09:00 sends", endOfApril3, monday9,
			[]Escalation{{Threshold: 7, DaysLeft: 5, Now: true, SendAt: monday9}}},
		{"Monday 18:00 is after hours", endOfApril3, at(3, 29, 18, 0),
			[]Escalation{{Threshold: 7, DaysLeft: 5, SendAt: at(3, 30, 9, 0)}}},
		{"Tuesday 17:59 is in hours", endOfApril3, at(3, 30, 17, 59),
			[]Escalation{{Threshold: 7, DaysLeft: 4, Now: true, SendAt: at(3, 30, 17, 59)}}},
		{"D-3 at midnight waits for 09:00", endOfApril3, at(3, 31, 0, 0),
			[]Escalation{{Threshold: 3, DaysLeft: 3, SendAt: at(3, 31, 9, 0)}}},
		{"D-1 at midnight goes at once", endOfApril3, at(4, 2, 0, 0),
			[]Escalation{{Threshold: 1, DaysLeft: 1, Now: true, SendAt: at(4, 2, 0, 0)}}},
		{"deadline day is still D-1, also on Saturday", endOfApril3, at(4, 3, 23, 0),
			[]Escalation{{Threshold: 1, DaysLeft: 0, Now: true, SendAt: at(4, 3, 23, 0)}}},
		{"the deadline's last second is not a breach", endOfApril3, endOfApril3,
			[]Escalation{{Threshold: 1, DaysLeft: 0, Now: true, SendAt: endOfApril3}}},
		{"one second later it is", endOfApril3, endOfApril3.Add(time.Second),
			[]Escalation{{Threshold: 0, DaysLeft: -1, Now: true, SendAt: endOfApril3.Add(time.Second)}}},
		{"an SLA deadline mid-day breaches at its minute", at(4, 1, 14, 30), at(4, 1, 14, 31),
			[]Escalation{{Threshold: 0, DaysLeft: 0, Now: true, SendAt: at(4, 1, 14, 31)}}},
		{"and is D-1 a minute before", at(4, 1, 14, 30), at(4, 1, 14, 29),
			[]Escalation{{Threshold: 1, DaysLeft: 0, Now: true, SendAt: at(4, 1, 14, 29)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Due(Ticket{Status: Open, DueAt: tt.due}, tt.now)
			for _, e := range got {
				if e.Reason == "" {
					t.Errorf("escalation %+v has no reason", e)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Escalation{}, "Reason"), cmpopts.EquateEmpty(),
				cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("Due (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEscalationDaysInTenantZone shows days are counted in the tenant's
// zone: the same instant is D-7 in Berlin and D-8 in UTC.
func TestEscalationDaysInTenantZone(t *testing.T) {
	loc := berlin(t)
	due, _ := Date("2027-04-03").EndOf(loc)
	now := time.Date(2027, 3, 26, 23, 30, 0, 0, time.UTC) // Saturday 00:30 in Berlin, still Friday in UTC
	if got := policy(t, loc).Due(Ticket{Status: Open, DueAt: due}, now); len(got) != 1 || got[0].Threshold != 7 {
		t.Errorf("Berlin: %+v, want D-7", got)
	}
	if got := policy(t, time.UTC).Due(Ticket{Status: Open, DueAt: due}, now); len(got) != 0 {
		t.Errorf("UTC: %+v, want nothing yet", got)
	}
	if got := policy(t, loc).Due(Ticket{Status: Open}, now); len(got) != 0 {
		t.Errorf("no deadline: %+v, want nothing", got)
	}
}

func TestNewEscalationPolicy(t *testing.T) {
	for _, tt := range []struct {
		name       string
		start, end string
		thresholds []int
	}{
		{"bad start", "9:00", "18:00", []int{7}},
		{"bad end", "09:00", "25:00", []int{7}},
		{"end before start", "18:00", "09:00", []int{7}},
		{"zero threshold", "09:00", "18:00", []int{7, 0}},
	} {
		if _, err := NewEscalationPolicy(time.UTC, tt.start, tt.end, tt.thresholds); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	p, err := NewEscalationPolicy(nil, "09:00", "18:00", []int{1, 7, 3, 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 3, 7}, p.thresholds); diff != "" {
		t.Errorf("thresholds (-want +got):\n%s", diff)
	}
}
