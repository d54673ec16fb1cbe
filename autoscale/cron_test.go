package autoscale

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func nyc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCronAcrossDaylightSaving: in 2026 New York springs forward on March 8
// (02:00 EST -> 03:00 EDT) and falls back on November 1 (02:00 EDT -> 01:00 EST).
func TestCronAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		name, expr, after, want string
	}{
		{"9:00 daily is 14:00Z in EST", "cron(0 9 * * ? *)", "2026-03-06T15:00:00Z", "2026-03-07T14:00:00Z"},
		{"9:00 daily is 13:00Z once EDT starts", "cron(0 9 * * ? *)", "2026-03-07T15:00:00Z", "2026-03-08T13:00:00Z"},
		{"02:30 does not exist on March 8: skipped to March 9", "cron(30 2 * * ? *)", "2026-03-07T12:00:00Z", "2026-03-09T06:30:00Z"},
		{"01:30 on November 1 fires at its first instant (EDT)", "cron(30 1 * * ? *)", "2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z"},
		{"01:30 on November 1 fires once: next is November 2 in EST", "cron(30 1 * * ? *)", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		{"every 30 min skips the repeated hour's wall times", "cron(0/30 * * * ? *)", "2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z"},
		{"9:00 daily back to 14:00Z after fall back", "cron(0 9 * * ? *)", "2026-11-01T12:00:00Z", "2026-11-01T14:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSchedule(tc.expr, nyc(t))
			require.NoError(t, err)
			got, ok := s.Next(utc(tc.after))
			require.True(t, ok)
			assert.Equal(t, utc(tc.want), got.UTC())
		})
	}
}

func TestCronSpecialCharacters(t *testing.T) {
	tests := []struct {
		name, expr, after, want string
	}{
		{"L in Day-of-month: last day of February 2026 is the 28th", "cron(0 12 L * ? 2026)", "2026-02-01T00:00:00Z", "2026-02-28T12:00:00Z"},
		{"LW: last weekday of May 2026 (31st is a Sunday) is Friday the 29th", "cron(0 12 LW 5 ? 2026)", "2026-01-01T00:00:00Z", "2026-05-29T12:00:00Z"},
		{"15W: August 15 2026 is a Saturday, so Friday the 14th", "cron(0 12 15W AUG ? 2026)", "2026-01-01T00:00:00Z", "2026-08-14T12:00:00Z"},
		{"1W: August 1 2026 is a Saturday, so Monday the 3rd (never the previous month)", "cron(0 12 1W 8 ? 2026)", "2026-01-01T00:00:00Z", "2026-08-03T12:00:00Z"},
		{"6#3: third Friday of March 2026 is the 20th", "cron(0 12 ? MAR 6#3 2026)", "2026-03-01T00:00:00Z", "2026-03-20T12:00:00Z"},
		{"FRI#3 by name", "cron(0 12 ? MAR FRI#3 2026)", "2026-03-01T00:00:00Z", "2026-03-20T12:00:00Z"},
		{"2L: last Monday of May 2026 is the 25th", "cron(0 12 ? 5 2L 2026)", "2026-05-01T00:00:00Z", "2026-05-25T12:00:00Z"},
		{"L in Day-of-week is Saturday (day 7)", "cron(0 12 ? * L *)", "2026-01-26T00:00:00Z", "2026-01-31T12:00:00Z"},
		{"MON-FRI at 18:00 skips the weekend", "cron(0 18 ? * MON-FRI *)", "2026-01-30T19:00:00Z", "2026-02-02T18:00:00Z"},
		{"1/10 minutes: 11 after 1", "cron(1/10 * * * ? *)", "2026-01-01T10:02:00Z", "2026-01-01T10:11:00Z"},
		{"list of hours 10,15", "cron(0 10,15 * * ? *)", "2026-01-01T10:00:00Z", "2026-01-01T15:00:00Z"},
		{"7 fields: leading seconds accepted, fires at second 0", "cron(0 30 6 ? * MON *)", "2026-01-01T00:00:00Z", "2026-01-05T06:30:00Z"},
		{"year step 2026/2", "cron(0 0 1 1 ? 2026/2)", "2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSchedule(tc.expr, nil)
			require.NoError(t, err)
			got, ok := s.Next(utc(tc.after))
			require.True(t, ok)
			assert.Equal(t, utc(tc.want), got)
		})
	}
}

func TestCronImpossibleEnds(t *testing.T) {
	for _, expr := range []string{"cron(0 0 30 FEB ? *)", "cron(0 0 31 4,6,9,11 ? *)", "cron(0 0 1 1 ? 1999)"} {
		t.Run(expr+" has no next instant", func(t *testing.T) {
			s, err := ParseSchedule(expr, nil)
			require.NoError(t, err)
			_, ok := s.Next(utc("2026-01-01T00:00:00Z"))
			assert.False(t, ok)
		})
	}
}

func TestScheduleParseErrors(t *testing.T) {
	tests := []struct {
		name, expr string
		col        int
		want       string
	}{
		{"unknown kind", "every(5 minutes)", 1, "at, rate or cron"},
		{"no closing parenthesis", "rate(5 minutes", 15, `")"`},
		{"rate unit", "rate(5 weeks)", 8, "minute, minutes, hour"},
		{"rate value", "rate(0 minutes)", 6, "a positive integer"},
		{"five cron fields", "cron(0 10 * * ?)", 6, "6 fields"},
		{"minute out of range", "cron(60 10 * * ? *)", 6, "Minutes 0-59"},
		{"both days set", "cron(0 10 1 * MON *)", 15, "? in Day-of-week"},
		{"both days ?", "cron(0 10 ? * ? *)", 15, "a Day-of-week"},
		{"bad month name", "cron(0 10 ? FOO MON *)", 13, "Month 1-12 or JAN-DEC"},
		{"range backwards", "cron(0 10 ? * FRI-MON *)", 19, "a range end not before"},
		{"# with a list", "cron(0 10 ? * 6#3,2 *)", 16, "one expression only"},
		{"slash in Day-of-week", "cron(0 10 ? * 1/2 *)", 16, "without /"},
		{"empty list item", "cron(0 10,,12 * * ? *)", 11, "Hours 0-23"},
		{"year before 1970", "cron(0 10 * * ? 1969)", 17, "Year 1970-2199"},
		{"at with a bad month", "at(2026-13-01T00:00:00)", 9, "a month 01-12"},
		{"at on February 30", "at(2026-02-30T00:00:00)", 12, "a day of the month"},
		{"at with a space for T", "at(2026-02-03 00:00:00)", 14, "yyyy-mm-ddThh:mm:ss"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSchedule(tc.expr, nil)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.col, pe.Col, err.Error())
			assert.Contains(t, pe.Want, tc.want)
		})
	}
}
