package report

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fleetsim/fleetsim/sim"
)

// commitmentFigure plots the run's bill against an hourly Compute Savings
// Plan commitment (cost.json commitment_curve), the best commitment marked,
// and, in its caption, the bill's coverage and each plan's utilisation. It
// is a static figure: its x axis is money, not time, so it has no
// interactive chart. Nil without a [billing] table.
func commitmentFigure(res *sim.Result, cost *Cost) (*Figure, error) {
	cc, b := cost.Commitment, cost.Bill
	if cc == nil || b == nil || len(cc.Points) < 2 || cc.PeakUSDPerHour <= 0 {
		return nil, nil
	}
	p := newPlot("Compute Savings Plan commitment (USD per hour)", "run's bill (USD)")
	p.Y.Min = 0
	pts := make(plotter.XYs, len(cc.Points))
	for i, pt := range cc.Points {
		pts[i] = plotter.XY{X: pt.CommitmentUSDPerHour, Y: float64(pt.TotalUSD)}
	}
	curve, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("plot commitment: %w", err)
	}
	curve.LineStyle = draw.LineStyle{Color: colour(0), Width: 2}
	best, err := plotter.NewScatter(plotter.XYs{{X: cc.Best.CommitmentUSDPerHour, Y: float64(cc.Best.TotalUSD)}})
	if err != nil {
		return nil, fmt.Errorf("plot commitment: %w", err)
	}
	best.GlyphStyle = draw.GlyphStyle{Color: colour(3), Radius: 5, Shape: draw.CircleGlyph{}}
	p.Add(curve, best)
	var bought float64 // the scenario's own Compute Savings Plans
	for _, sp := range b.SavingsPlans {
		if sp.Type == "compute" {
			bought += sp.CommitmentUSDPerHour
		}
	}
	if bought > 0 {
		as, err := plotter.NewScatter(plotter.XYs{{X: bought, Y: float64(b.TotalUSD)}})
		if err != nil {
			return nil, fmt.Errorf("plot commitment: %w", err)
		}
		as.GlyphStyle = draw.GlyphStyle{Color: colour(6), Radius: 4, Shape: draw.RingGlyph{}}
		p.Add(as)
	}
	headroom(p)
	caption := fmt.Sprintf("The run's bill at each hourly commitment from 0 to the peak On-Demand spend ($%.2f per hour), a Compute Savings Plan at %.0f%% off EC2 and %.0f%% off Fargate, after the scenario's Reserved Instances and EC2 Instance Savings Plans. Best: $%.3f per hour, %s against %s with none; a commitment pays for itself in an hour that uses at least %.0f%% of it.",
		cc.PeakUSDPerHour, 100*cc.Discount, 100*cc.FargateDiscount, cc.Best.CommitmentUSDPerHour, money(cc.Best.TotalUSD), money(cc.NoCommitment), 100*cc.BreakEvenUtilisation)
	caption += fmt.Sprintf(" As bought: %s, coverage %.0f%% of the eligible On-Demand usage", money(b.TotalUSD), 100*b.Coverage)
	for i, sp := range b.SavingsPlans {
		caption += fmt.Sprintf("; plan %d (%s, $%g/h) utilisation %.0f%%", i+1, sp.Type, sp.CommitmentUSDPerHour, 100*sp.Utilisation)
	}
	for i, ri := range b.ReservedInstances {
		caption += fmt.Sprintf("; RI %d (%d x %s) utilisation %.0f%%", i+1, ri.Count, ri.InstanceType, 100*ri.Utilisation)
	}
	f := &Figure{ID: "commitment", Title: "Savings Plan commitment and the run's bill", Caption: caption + ".", plot: p}
	f.legend = []legendEntry{
		{Label: "bill at that commitment", Color: colour(0)},
		{Label: "best commitment", Color: colour(3), Width: vg.Length(6)},
	}
	if bought > 0 {
		f.legend = append(f.legend, legendEntry{Label: "as bought", Color: colour(6), Width: vg.Length(3)})
	}
	f.lines = 1
	return f, nil
}
