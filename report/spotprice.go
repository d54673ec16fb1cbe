package report

import (
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
)

// Spot prices that vary. With [billing] spot_price_history or
// [[billing.spot_price]], Prices.SpotPrices holds a price per type, zone and
// time, and every Spot instance-second is priced at the price in effect in
// its zone that second (EC2: "You pay the Spot price that's in effect,
// billed to the nearest second", https://aws.amazon.com/ec2/spot/pricing/);
// a type and zone with no series keep the discount off On-Demand. Money is
// then summed in nano-dollars per meter, so that a type's total is the sum
// of its instances' exact costs whatever the order.

// varyingSpot reports whether Spot is priced by series (in nano-dollar
// meters) rather than by a rate per hour.
func (p *Prices) varyingSpot() bool { return p.SpotPrices != nil }

// SpotUSD is what one Spot instance of typ in zone costs over seconds from
// from: at the zone's price series when there is one, else at the type's
// Spot discount off On-Demand.
func (p *Prices) SpotUSD(typ, zone string, from des.Time, seconds int64) (float64, error) {
	if se := p.SpotPrices.Lookup(typ, zone); se != nil {
		return se.USD(from.Duration(), seconds), nil
	}
	perHour, err := p.InstanceUSDPerHour(typ, capacity.Spot)
	return float64(seconds) / 3600 * perHour, err
}

// nano is a dollar amount in whole nano-dollars.
func nano(usd float64) int64 { return int64(math.Round(usd * 1e9)) }

// spreadSpot puts a Spot instance's billed seconds into its hourly meters
// with their cost at the prices in effect, chunk by chunk.
func (l *ledger) spreadSpot(prov, rt int, in *capacity.InstanceUsage, billed int64) error {
	var off int64
	var err error
	l.spreadWith(in.Launched, billed, func(h int, n int64) {
		usd, e := l.prices.SpotUSD(in.Type, in.AZ, in.Launched+des.At(time.Duration(off)*time.Second), n)
		if e != nil && err == nil {
			err = e
		}
		off += n
		a := account{prov, rt, h}
		m := l.meters[a]
		m.add(meter{sec: n, nanoUSD: nano(usd)})
		l.meters[a] = m
	})
	return err
}

// spreadWith calls f with each hour's share of billed seconds from from,
// in order (the ledger's hours: a minimum reaching past the end is billed
// in the last hour).
func (l *ledger) spreadWith(from des.Time, billed int64, f func(h int, n int64)) {
	spreadHours(from, billed, l.hours, f)
}

// spotSeriesNote is the part of Prices.Source that says where varying Spot
// prices came from.
func spotSeriesNote(s *catalog.SpotPrices) string {
	return "Spot: " + s.Source + ", other types and zones at fixed discounts (choice)"
}
