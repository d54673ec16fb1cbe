package catalog

import (
	"math"
	"sort"
	"time"
)

// SpotPrices are Spot prices that vary by instance type, Availability Zone
// and time: AWS's describe-spot-price-history records, or fixed prices a
// scenario gives ([billing] spot_usd_per_hour). A type and zone with no
// series is priced at its Spot discount off On-Demand, as before.
type SpotPrices struct {
	// Source says where the prices came from: the file and its records'
	// span, or the scenario's settings.
	Source string
	// Series are sorted by Type, then Zone; one per type and zone at most.
	// Zone "" holds for every zone of the type without a series of its own.
	Series []SpotPriceSeries
}

// SpotPriceSeries is one type's Spot price in one zone (or all), a step
// function of simulated time: each point's price holds from its From (an
// offset from the run's start, negative before it) until the next point's.
// Before the first point the first price holds (choice: a price history
// fetched for the run's span starts with the price in effect at its start,
// as describe-spot-price-history returns it).
type SpotPriceSeries struct {
	Type, Zone string
	Points     []SpotPricePoint // sorted by From, at least one
}

// SpotPricePoint is a price and the time it takes effect.
type SpotPricePoint struct {
	From       time.Duration
	USDPerHour float64
}

// Lookup returns the series of typ in zone: the zone's own, else the type's
// all-zone series, else nil.
func (s *SpotPrices) Lookup(typ, zone string) *SpotPriceSeries {
	if s == nil {
		return nil
	}
	find := func(z string) *SpotPriceSeries {
		i := sort.Search(len(s.Series), func(i int) bool {
			se := &s.Series[i]
			return se.Type > typ || (se.Type == typ && se.Zone >= z)
		})
		if i < len(s.Series) && s.Series[i].Type == typ && s.Series[i].Zone == z {
			return &s.Series[i]
		}
		return nil
	}
	if zone != "" {
		if se := find(zone); se != nil {
			return se
		}
	}
	return find("")
}

// USD is what one instance costs over seconds from from, per second at the
// price in effect each second (EC2 bills Spot per second at the Spot price
// in effect: https://aws.amazon.com/ec2/spot/pricing/).
func (se *SpotPriceSeries) USD(from time.Duration, seconds int64) float64 {
	if seconds <= 0 || len(se.Points) == 0 {
		return 0
	}
	to := from + time.Duration(seconds)*time.Second
	// The point in effect at from: the last whose From <= from (or the first).
	i := sort.Search(len(se.Points), func(i int) bool { return se.Points[i].From > from }) - 1
	i = max(i, 0)
	usd := 0.0
	for t := from; t < to; i++ {
		end := to
		if i+1 < len(se.Points) {
			end = min(end, max(se.Points[i+1].From, t))
		}
		usd += se.Points[i].USDPerHour * (end - t).Hours()
		t = end
		if i+1 >= len(se.Points) {
			break
		}
	}
	return usd
}

// Mean is the series' time-weighted mean price over [from, to), for
// figures that need one rate.
func (se *SpotPriceSeries) Mean(from, to time.Duration) float64 {
	if to <= from {
		return se.At(from)
	}
	secs := int64(math.Ceil((to - from).Seconds()))
	return se.USD(from, secs) / (float64(secs) / 3600)
}

// At is the price in effect at t.
func (se *SpotPriceSeries) At(t time.Duration) float64 {
	i := sort.Search(len(se.Points), func(i int) bool { return se.Points[i].From > t }) - 1
	return se.Points[max(i, 0)].USDPerHour
}
