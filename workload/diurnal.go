package workload

import (
	"math"
	"slices"
	"time"
)

// Date is a calendar day, used for holidays.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Diurnal is a Pattern with a smooth daily cycle and a weekly one. Within a
// day the rate follows a raised cosine of the local wall-clock hour h:
//
//	Rate = f * (Base + (Peak-Base) * (1 + cos(2π (h - PeakHour)/24)) / 2)
//
// so it is Peak at PeakHour and Base twelve hours away. f is WeekendFactor on
// Saturdays, Sundays and Holidays (local dates) and 1 otherwise. The hour is
// read on the wall clock of Location (UTC if nil), so across a daylight-saving
// change the peak stays at PeakHour local time. Build it with NewDiurnal to get
// WeekendFactor 1 (no weekly cycle); a zero WeekendFactor means no load at
// weekends.
type Diurnal struct {
	Base, Peak    float64 // requests per second at the trough and at PeakHour
	PeakHour      float64 // local hour of the peak, in [0, 24), e.g. 14.5
	WeekendFactor float64 // multiplies the rate on weekends and holidays
	Holidays      []Date  // treated like weekend days
	Location      *time.Location
}

// NewDiurnal returns a Diurnal with no weekly cycle (WeekendFactor 1) in UTC.
func NewDiurnal(base, peak, peakHour float64) Diurnal {
	return Diurnal{Base: base, Peak: peak, PeakHour: peakHour, WeekendFactor: 1, Location: time.UTC}
}

// Rate returns the diurnal rate at at; see Diurnal.
func (d Diurnal) Rate(at time.Time) float64 {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	local := at.In(loc)
	h := float64(local.Hour()) + float64(local.Minute())/60 +
		(float64(local.Second())+float64(local.Nanosecond())/1e9)/3600
	shape := (1 + math.Cos(2*math.Pi*(h-d.PeakHour)/24)) / 2
	r := d.Base + (d.Peak-d.Base)*shape
	if d.restDay(local) {
		r *= d.WeekendFactor
	}
	return max(r, 0)
}

// restDay reports whether the local day is a weekend day or a holiday.
func (d Diurnal) restDay(local time.Time) bool {
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	return slices.Contains(d.Holidays, DateOf(local))
}
