package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// CommitmentCurve answers how much Compute Savings Plan to buy for the run's
// usage: the run's bill at hourly commitments from 0 up to the peak hourly
// On-Demand spend a plan could cover, with the scenario's Reserved
// Instances and EC2 Instance Savings Plans applied first and its own
// Compute Savings Plans replaced by the one priced.
type CommitmentCurve struct {
	Discount        float64 `json:"discount"`         // the priced plan's discount off On-Demand (EC2)
	FargateDiscount float64 `json:"fargate_discount"` // and for Fargate
	// PeakUSDPerHour is the highest hourly On-Demand spend left for a
	// Compute Savings Plan; a commitment past PeakUSDPerHour x (1 - discount)
	// covers nothing more.
	PeakUSDPerHour float64       `json:"peak_on_demand_usd_per_hour"`
	Points         []CommitPoint `json:"points"`
	Best           CommitPoint   `json:"best"`
	NoCommitment   USD           `json:"no_commitment_usd"` // the bill at commitment 0
	// BreakEvenUtilisation is the share of a commitment an hour must use for
	// the commitment to pay for itself: 1 - discount (a dollar committed
	// buys 1/(1 - discount) dollars of On-Demand usage when used in full).
	BreakEvenUtilisation Ratio `json:"break_even_utilisation"`
}

// CommitPoint is the bill at one hourly commitment.
type CommitPoint struct {
	CommitmentUSDPerHour float64 `json:"commitment_usd_per_hour"`
	TotalUSD             USD     `json:"total_usd"`
	Utilisation          Ratio   `json:"utilisation"`
	Coverage             Ratio   `json:"coverage"`
}

// commitmentCurve prices steps+1 commitments evenly from 0 to the peak,
// and the best commitment: the bill is convex in the commitment (each
// further dollar covers usage with a lower or equal savings percentage, or
// none), so the best is found by a ternary search around the grid's best.
func commitmentCurve(u *hourUsage, b *catalog.Billing, riPrice []float64) *CommitmentCurve {
	plan := catalog.SavingsPlan{Type: catalog.ComputeSavingsPlan, Term: "1yr", Payment: "no_upfront"}
	plan.Discount = catalog.DefaultDiscount(plan.Type, plan.Term, plan.Payment)
	plan.FargateDiscount = plan.Discount
	base := *b
	base.SavingsPlans = nil
	found := false
	for _, sp := range b.SavingsPlans {
		if sp.Type == catalog.ComputeSavingsPlan {
			if !found {
				plan.Term, plan.Payment, plan.Discount, plan.FargateDiscount = sp.Term, sp.Payment, sp.Discount, sp.FargateDiscount
				found = true
			}
			continue
		}
		base.SavingsPlans = append(base.SavingsPlans, sp)
	}
	c := &CommitmentCurve{Discount: plan.Discount, FargateDiscount: plan.FargateDiscount, BreakEvenUtilisation: Ratio(1 - plan.Discount)}
	// The peak: the most On-Demand spend per hour left after the other
	// commitments.
	empty := billFor(u, &base, riPrice)
	for h, hb := range empty.Hourly {
		if u.frac[h] > 0 {
			c.PeakUSDPerHour = max(c.PeakUSDPerHour, float64(hb.OnDemandUSD)/u.frac[h])
		}
	}
	with := base
	with.SavingsPlans = append(slices.Clone(base.SavingsPlans), plan)
	pr := newCurvePricer(u, &with, riPrice)
	at := func(x float64) CommitPoint {
		with.SavingsPlans[len(with.SavingsPlans)-1].CommitmentUSDPerHour = x // the Bill keeps no reference to it
		bl := pr.bill(&with)
		pt := CommitPoint{CommitmentUSDPerHour: x, TotalUSD: bl.TotalUSD, Coverage: bl.Coverage}
		if x > 0 {
			pt.Utilisation = bl.SavingsPlans[len(bl.SavingsPlans)-1].Utilisation
		}
		return pt
	}
	steps := max(b.CurveSteps, 1)
	for k := 0; k <= steps; k++ {
		c.Points = append(c.Points, at(math.Round(c.PeakUSDPerHour*float64(k)/float64(steps)*1e6)/1e6))
	}
	c.NoCommitment = c.Points[0].TotalUSD
	best := 0
	for i, pt := range c.Points {
		if pt.TotalUSD < c.Points[best].TotalUSD {
			best = i
		}
	}
	lo := c.Points[max(best-1, 0)].CommitmentUSDPerHour
	hi := c.Points[min(best+1, steps)].CommitmentUSDPerHour
	for range 60 {
		m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
		if at(m1).TotalUSD <= at(m2).TotalUSD {
			hi = m2
		} else {
			lo = m1
		}
	}
	c.Best = c.Points[best]
	if pt := at((lo + hi) / 2); pt.TotalUSD < c.Best.TotalUSD {
		pt.CommitmentUSDPerHour = math.Round(pt.CommitmentUSDPerHour*1e6) / 1e6
		c.Best = at(pt.CommitmentUSDPerHour)
	}
	return c
}

// BestCommitment is the hourly Compute Savings Plan commitment that
// minimises a run's bill (the commitment curve's Best) and what it saves
// against no new commitment, from the run's hourly usage at prices p. The
// scenario's [billing] prices the curve as the report does (its other
// commitments stay bought); without one, no other commitment and the
// default 20 steps. A sweep records it for every run, so that its variants
// show how the commitment to buy moves with what they change.
func BestCommitment(res *sim.Result, p Prices) (best CommitPoint, savingUSD USD, err error) {
	if p.err != nil {
		return CommitPoint{}, 0, fmt.Errorf("report: prices: %w", p.err)
	}
	b := &catalog.Billing{CurveSteps: 20}
	if res.Config != nil && res.Config.Billing != nil {
		b = res.Config.Billing
	}
	u, err := meterUsage(res, &p)
	if err != nil {
		return CommitPoint{}, 0, err
	}
	riPrice, err := riPrices(b, &p)
	if err != nil {
		return CommitPoint{}, 0, err
	}
	c := commitmentCurve(u, b, riPrice)
	return c.Best, c.NoCommitment - c.Best.TotalUSD, nil
}

// curvePricer prices the commitment curve's bills: the run's bill with one
// more Compute Savings Plan, the last of its billing's plans, at each of
// some 140 commitments. What comes before that plan in each hour (the
// Reserved Instances and the EC2 Instance Savings Plans; the curve's
// billing has no other Compute plan) does not depend on its commitment,
// nor does the order in which the plan takes the lines left: both are
// worked out once per hour, and each commitment spends itself down that
// order. The arithmetic is applyHour's, step for step, so each
// bill is billFor's to the last bit (TestTheCurvePricerBillsAsBillForDoes).
type curvePricer struct {
	u       *hourUsage
	riPrice []float64
	hours   []pricedHour
	left    []float64    // scratch: the lines' usage left, one hour at a time
	spUsed  [2][]float64 // scratch: the hour's plans' use and coverage
	last    Bill         // scratch: the bill made last, which bill returns
}

// pricedHour is one hour before the last plan: the result so far, the
// lines' usage left and On-Demand rates, and the plan's candidates in the
// order it takes them.
type pricedHour struct {
	before      hourResult
	left, rates []float64
	cands       []cand
}

// newCurvePricer works out each hour up to b's last Savings Plan, which
// must be a Compute Savings Plan, and b's other plans no Compute plan.
func newCurvePricer(u *hourUsage, b *catalog.Billing, riPrice []float64) *curvePricer {
	last := b.SavingsPlans[len(b.SavingsPlans)-1]
	pr := &curvePricer{u: u, riPrice: riPrice, hours: make([]pricedHour, len(u.lines))}
	most := 0
	for h := range u.lines {
		lines := slices.Clone(u.lines[h])
		ph := &pr.hours[h]
		ph.before = applyBeforeCompute(lines, b, riPrice, u.frac[h])
		ph.left, ph.rates = make([]float64, len(lines)), make([]float64, len(lines))
		for i, l := range lines {
			ph.left[i], ph.rates[i] = l.left, l.rate
		}
		ph.cands = rankCandidates(lines, 1, func(l usageLine, _ int) (float64, bool) { return planDiscount(last, l) })
		most = max(most, len(lines))
	}
	pr.left = make([]float64, most)
	pr.spUsed = [2][]float64{make([]float64, len(b.SavingsPlans)), make([]float64, len(b.SavingsPlans))}
	return pr
}

// bill is billFor(u, b, riPrice) for b, the pricer's billing with its last
// plan at some commitment. The Bill is the pricer's, good until the next
// call: the curve reads three figures of each.
func (pr *curvePricer) bill(b *catalog.Billing) *Bill {
	last := len(b.SavingsPlans) - 1
	commitment := b.SavingsPlans[last].CommitmentUSDPerHour
	return billWith(pr.u, b, pr.riPrice, func(h int) hourResult {
		ph, frac := &pr.hours[h], pr.u.frac[h]
		r := ph.before
		r.spUsed, r.spCovered = pr.spUsed[0], pr.spUsed[1]
		copy(r.spUsed, ph.before.spUsed)
		copy(r.spCovered, ph.before.spCovered)
		// applyPlans and applyGroup for the one plan of the group.
		commit := commitment * frac
		r.spFee += commitment * frac
		left := pr.left[:len(ph.left)]
		copy(left, ph.left)
		rem, covered := commit, 0.0
		for _, c := range ph.cands {
			if rem <= 0 || left[c.i] <= 0 {
				continue
			}
			rate := ph.rates[c.i]
			need := left[c.i] * rate * (1 - c.d)
			take := min(need, rem)
			cov := take / (1 - c.d)
			if take == need {
				left[c.i] = 0
			} else {
				left[c.i] -= cov / rate
			}
			rem -= take
			covered += cov
		}
		r.spUsed[last], r.spCovered[last] = commit-rem, covered
		r.coveredSP += covered
		// onDemandValue
		var od float64
		for i, l := range left {
			od += max(l, 0) * ph.rates[i]
		}
		r.onDemand = od
		return r
	}, &pr.last)
}
