package autoscale

import (
	"testing"
	"time"
)

// FuzzSchedule: ParseSchedule never panics, errors carry a column inside the
// expression (or just past it), and Next always returns, later than after.
func FuzzSchedule(f *testing.F) {
	for _, s := range []string{
		"cron(0 10 * * ? *)", "cron(0/15 * * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 0 30 FEB ? *)",
		"cron(0 12 L * ? 2026)", "cron(0 12 LW 5 ? *)", "cron(0 12 15W * ? *)", "cron(0 12 ? * 6#3 *)",
		"cron(0 12 ? * 2L *)", "cron(0 30 6 ? * MON *)", "rate(5 minutes)", "rate(1 day)",
		"at(2026-03-08T02:30:00)", "cron(1/10 * * * ? 2026/2)", "cron(0 10,,12 * * ? *)",
	} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	after := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := ParseSchedule(expr, loc)
		if err != nil {
			pe, ok := err.(*ParseError)
			if !ok || pe.Col < 1 || pe.Col > len(expr)+1 {
				t.Fatalf("%q: error %v without a column in 1..%d", expr, err, len(expr)+1)
			}
			return
		}
		if next, ok := s.Next(after); ok && !next.After(after) {
			t.Fatalf("%q: Next(%v) = %v, not after", expr, after, next)
		}
	})
}
