package report

import (
	"cmp"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
)

// FargateRates is Fargate's price of one vCPU-hour and one GB-hour (GB =
// 1024 MiB, the unit of the Fargate task size table).
type FargateRates struct {
	USDPerVCPUHour float64 `json:"usd_per_vcpu_hour"`
	USDPerGBHour   float64 `json:"usd_per_gb_hour"`
}

// Prices is the price table the cost model uses. DefaultPrices fills it; a
// caller may change any field before calling ComputeCost (the override hook).
type Prices struct {
	Region string `json:"region"`
	Source string `json:"source"`
	Date   string `json:"date"` // when the prices were read, YYYY-MM-DD

	// Catalog gives each instance type's On-Demand price; OnDemandUSDPerHour
	// overrides it per type.
	Catalog            *catalog.Catalog   `json:"-"`
	OnDemandUSDPerHour map[string]float64 `json:"on_demand_overrides_usd_per_hour,omitempty"`

	// SpotDiscount is the EC2 Spot price as a fraction off On-Demand
	// (choice: 0.70); SpotDiscountByType overrides it per type.
	SpotDiscount       float64            `json:"spot_discount"`
	SpotDiscountByType map[string]float64 `json:"spot_discount_by_type,omitempty"`
	// SpotPrices, when set, price Spot by type, zone and time
	// ([billing] spot_price_history, [[billing.spot_price]]; spotprice.go);
	// SpotPriceSource says where they came from.
	SpotPrices      *catalog.SpotPrices `json:"-"`
	SpotPriceSource string              `json:"spot_price_source,omitempty"`

	// Fargate is Linux/x86; FargateARM is Linux/ARM. fleetsim's task usage
	// carries no CPU architecture yet, so every Fargate task is billed at the
	// x86 rates (choice); FargateARM is kept for callers that set it.
	Fargate             FargateRates `json:"fargate_linux_x86"`
	FargateARM          FargateRates `json:"fargate_linux_arm"`
	FargateSpotDiscount float64      `json:"fargate_spot_discount"` // choice: 0.70

	// EC2Minimum and FargateMinimum are the least time billed per instance
	// launch and per task.
	EC2Minimum     time.Duration `json:"-"`
	FargateMinimum time.Duration `json:"-"`

	// OperatingSystem and FargateArchitecture are [billing]'s (bill.go);
	// empty without a [billing] table.
	OperatingSystem     string `json:"operating_system,omitempty"`
	FargateArchitecture string `json:"fargate_cpu_architecture,omitempty"`

	err error // why the prices could not be had (an unknown region): ComputeCost returns it
}

// FargateWindows is Fargate's Windows/x86 rate in us-east-1
// (https://aws.amazon.com/fargate/pricing/): $0.09148 per vCPU-hour plus the
// Windows licence fee of $0.046 per vCPU-hour, and $0.01005 per GB-hour.
var FargateWindows = FargateRates{USDPerVCPUHour: 0.09148 + 0.046, USDPerGBHour: 0.01005}

// DefaultPrices returns us-east-1 Linux prices: EC2 On-Demand from the
// embedded catalog (AWS Pricing API, generated 2026-07-20), Fargate from
// https://aws.amazon.com/fargate/pricing/, and the Spot discounts that are
// fleetsim choices (AWS quotes "up to" 90% for EC2 Spot and 70% for Fargate
// Spot; both are modelled as a fixed 70% off).
func DefaultPrices() Prices {
	return Prices{
		Region:              "us-east-1",
		Source:              "EC2: AWS Pricing API via aws/karpenter-provider-aws data; Fargate: aws.amazon.com/fargate/pricing; Spot: fixed discounts (choice)",
		Date:                "2026-07-20",
		Catalog:             catalog.Default(),
		SpotDiscount:        0.70,
		Fargate:             FargateRates{USDPerVCPUHour: 0.04048, USDPerGBHour: 0.004445},
		FargateARM:          FargateRates{USDPerVCPUHour: 0.03238, USDPerGBHour: 0.00356},
		FargateSpotDiscount: 0.70,
		EC2Minimum:          time.Minute,
		FargateMinimum:      time.Minute,
	}
}

// PricesFor is DefaultPrices with the scenario's own pricing settings:
// `[settings] spot_discount` sets the EC2 Spot discount.
//
// The scenario's region chooses the EC2 price table (catalog.ForRegion), and
// [billing] the operating system and Fargate architecture: Linux/ARM
// Fargate at FargateARM, Windows Fargate at FargateWindows.
func PricesFor(cfg *sim.Config) Prices {
	p := DefaultPrices()
	if cfg == nil {
		return p
	}
	p.SpotDiscount = cfg.Settings.SpotDiscount
	if cfg.Region != "" && cfg.Region != p.Region {
		c, err := catalog.ForRegion(cfg.Region)
		p.Region, p.Catalog, p.err = cfg.Region, c, err
		p.Source = "EC2: " + catalog.RegionPriceSource(cfg.Region) + "; Fargate: none for this region; Spot: fixed discounts (choice)"
		p.Date = catalog.RegionPriceDate(cfg.Region)
		p.Fargate, p.FargateARM = FargateRates{}, FargateRates{}
	}
	if b := cfg.Billing; b != nil {
		p.OperatingSystem, p.FargateArchitecture = b.OperatingSystem, b.FargateArchitecture
		p.OnDemandUSDPerHour, p.SpotDiscountByType = b.OnDemandUSDPerHour, b.SpotDiscountByType
		if b.SpotPrices != nil {
			p.SpotPrices, p.SpotPriceSource = b.SpotPrices, b.SpotPrices.Source
			p.Source = strings.Replace(p.Source, "Spot: fixed discounts (choice)", spotSeriesNote(b.SpotPrices), 1)
		}
		switch {
		case b.OperatingSystem == "windows":
			p.Fargate = FargateWindows
		case b.FargateArchitecture == "arm64":
			p.Fargate = p.FargateARM
		}
	}
	return p
}

// InstanceUSDPerHour is the hourly price of one instance of type typ bought
// as purchase option p.
func (p *Prices) InstanceUSDPerHour(typ string, po capacity.PurchaseOption) (float64, error) {
	price, ok := p.OnDemandUSDPerHour[typ]
	if !ok {
		if p.Catalog == nil {
			return 0, fmt.Errorf("report: no price for instance type %q: no catalog", typ)
		}
		it, found := p.Catalog.Lookup(typ)
		if !found {
			return 0, fmt.Errorf("report: no price for instance type %q", typ)
		}
		price = it.PriceUSDPerHour
	}
	if po == capacity.Spot {
		d, ok := p.SpotDiscountByType[typ]
		if !ok {
			d = p.SpotDiscount
		}
		price *= 1 - d
	}
	return price, nil
}

// FargateUSD is the price of cpuUnitSeconds CPU-unit-seconds and
// mibSeconds MiB-seconds of Fargate (spot: Fargate Spot):
// cpuUnitSeconds/1024/3600 x vCPU-hour + mibSeconds/1024/3600 x GB-hour.
func (p *Prices) FargateUSD(cpuUnitSeconds, mibSeconds int64, spot bool) float64 {
	usd := float64(cpuUnitSeconds)/(1024*3600)*p.Fargate.USDPerVCPUHour +
		float64(mibSeconds)/(1024*3600)*p.Fargate.USDPerGBHour
	if spot {
		usd *= 1 - p.FargateSpotDiscount
	}
	return usd
}

// BilledSeconds is the whole seconds billed for a use from start to stop:
// per second, rounded up, at least minimum. AWS (EC2 On-Demand pricing,
// https://aws.amazon.com/ec2/pricing/on-demand/): "billed in one-second
// increments, with a minimum of 60 seconds"; Fargate
// (https://aws.amazon.com/fargate/pricing/): "rounded up to the nearest
// second", one-minute minimum.
func BilledSeconds(start, stop des.Time, minimum time.Duration) int64 {
	d := stop.Duration()
	d -= start.Duration()
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, int64(minimum/time.Second))
}

// USD is an amount of money; JSON writes it with six decimals.
type USD float64

// MarshalJSON writes the amount rounded to a millionth of a dollar.
func (u USD) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(u), 'f', 6, 64)), nil
}

// Purchase options as the cost breakdown names them.
const (
	PurchaseOnDemand    = "on-demand"
	PurchaseSpot        = "spot"
	PurchaseFargate     = "fargate"
	PurchaseFargateSpot = "fargate-spot"
	IdleCapacity        = "idle capacity"
)

// Cost is what a run would cost (cost.json): the total, and the same money
// broken down by capacity provider, purchase option, instance type, owner
// and hour of simulated time.
type Cost struct {
	Prices           Prices         `json:"prices"`
	SimulatedSeconds int64          `json:"simulated_seconds"`
	TotalUSD         USD            `json:"total_usd"`
	PerDayUSD        USD            `json:"per_day_usd"`
	ByProvider       []CostLine     `json:"by_capacity_provider"`
	ByPurchase       []CostLine     `json:"by_purchase_option"`
	ByInstanceType   []TypeCost     `json:"by_instance_type"`
	ByOwner          []OwnerCost    `json:"by_owner"` // services, jobs, then idle capacity
	Hourly           HourlyCost     `json:"hourly"`
	Fargate          []FargateUsage `json:"fargate"`
	// ManagedInstancesUSD is the ECS Managed Instances management fee, in
	// the total and by_purchase_option (managedinstances.go).
	ManagedInstancesUSD USD `json:"ecs_managed_instances_management_usd,omitempty"`
	// Bill and Commitment are there when the scenario has a [billing]
	// table (bill.go, commit.go).
	Bill       *Bill            `json:"bill,omitempty"`
	Commitment *CommitmentCurve `json:"commitment_curve,omitempty"`
}

// CostLine is one row of a breakdown.
type CostLine struct {
	Name string `json:"name"`
	USD  USD    `json:"usd"`
}

// TypeCost is the EC2 bill of one instance type and purchase option.
type TypeCost struct {
	Type            string  `json:"instance_type"`
	Purchase        string  `json:"purchase_option"`
	Launches        int     `json:"launches"`
	InstanceSeconds int64   `json:"billed_instance_seconds"`
	USDPerHour      float64 `json:"usd_per_hour"`
	USD             USD     `json:"usd"`
}

// FargateUsage is the Fargate bill of one purchase option.
type FargateUsage struct {
	Purchase       string `json:"purchase_option"`
	Platform       string `json:"platform,omitempty"` // "linux/arm64", "windows/x86_64"; "": the scenario's rate
	Tasks          int    `json:"tasks"`
	CPUUnitSeconds int64  `json:"billed_cpu_unit_seconds"`
	MiBSeconds     int64  `json:"billed_mib_seconds"`
	USD            USD    `json:"usd"`
}

// OwnerCost is a service's or batch job's share of the bill: its Fargate
// tasks, and its share of the EC2 instances it ran on (see ComputeCost).
type OwnerCost struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"` // service, job or idle
	EC2USD     USD    `json:"ec2_usd"`
	FargateUSD USD    `json:"fargate_usd"`
	USD        USD    `json:"usd"`
}

// HourlyCost is the money billed in each hour of simulated time, by
// capacity provider: USD[h][p] for hour h and Providers[p]. A launch's
// 60-second minimum that reaches past the end is billed in the last hour.
type HourlyCost struct {
	Providers []string `json:"capacity_providers"`
	USD       [][]USD  `json:"usd"`
}

// rate is what a meter is priced at: an instance type bought one way, or
// Fargate (typ "") on demand or Spot.
type rate struct{ typ, purchase, platform string } // platform: Fargate's (fargateprice.go)

// account is one meter of the bill: a capacity provider, a rate, an hour.
type account struct{ prov, rate, hour int }

// meter counts billed usage in whole units: instance-seconds for EC2,
// CPU-unit-seconds and MiB-seconds for Fargate and for reservations.
// With varying Spot prices a Spot meter also carries its cost in
// nano-dollars (spotprice.go).
type meter struct{ sec, cpuSec, mibSec, nanoUSD int64 }

func (m *meter) add(o meter) {
	m.sec += o.sec
	m.cpuSec += o.cpuSec
	m.mibSec += o.mibSec
	m.nanoUSD += o.nanoUSD
}

// ledger accumulates a run's usage in integers; money appears only in
// ledger.cost.
type ledger struct {
	prices    *Prices
	res       *sim.Result
	hours     int
	provNames []string
	instProv  []int       // per instance: index into provNames
	provOf    map[int]int // sim provider index (Fargate) -> index into provNames
	rates     []rate
	rateIndex map[rate]int
	meters    map[account]meter
	count     map[int]int     // per rate: launches or Fargate tasks
	ownerEC2  []map[int]meter // per owner, per rate: reserved CPU-unit- and MiB-seconds
	ownerFG   []map[int]meter // per owner, per rate: billed Fargate usage
	free      []bool          // per instance: not billed (EC2 interrupted it as Spot in its first hour)
	err       error           // the first pricing error met while metering (varying Spot prices)
}

// ComputeCost prices a run's usage records.
//
// EC2: each instance launch is billed from its launch to its termination (or
// the end of the run), per second rounded up, at least 60 s (choice: from the
// launch request, so boot time is billed; AWS starts billing at "running",
// a little later). Spot instances pay On-Demand x (1 - discount); a Spot
// instance that EC2 interrupts in its first hour costs nothing, one it
// interrupts later is billed per second (FreeSpotInterruption).
//
// Fargate: each task is billed from the start of its image pull to its stop,
// per second rounded up, at least 60 s, for its CPU and memory size.
//
// Owners: a task on an instance is charged, for each second it holds its
// reservation, the instance's price x (cpu/registeredCPU + mem/registeredMem)/2
// (choice: CPU and memory weigh half each). What no task reserved is shown
// as the owner "idle capacity", never spread over the services.
func ComputeCost(res *sim.Result, p Prices) (*Cost, error) {
	if p.err != nil {
		return nil, fmt.Errorf("report: prices: %w", p.err)
	}
	if p.Fargate == (FargateRates{}) {
		for _, t := range res.Tasks.All() {
			if t.Instance < 0 {
				return nil, fmt.Errorf("report: no Fargate prices for region %s (AWS's Fargate page was read for us-east-1)", p.Region)
			}
		}
	}
	l := &ledger{prices: &p, res: res, rateIndex: map[rate]int{}, meters: map[account]meter{}, count: map[int]int{}}
	l.hours = max(1, int((res.End.Duration()+time.Hour-1)/time.Hour))
	l.providers()
	l.ownerEC2 = make([]map[int]meter, len(res.Owners))
	l.ownerFG = make([]map[int]meter, len(res.Owners))
	for i := range res.Owners {
		l.ownerEC2[i], l.ownerFG[i] = map[int]meter{}, map[int]meter{}
	}
	l.free = make([]bool, len(res.Instances))
	for i := range res.Instances {
		l.instance(i)
	}
	for i := range res.Tasks.Len() {
		l.task(res.Tasks.At(i))
	}
	if l.err != nil {
		return nil, l.err
	}
	c, err := l.cost()
	if err == nil {
		err = c.addManagementFee(res, &p) // managedinstances.go
	}
	if err != nil || res.Config == nil || res.Config.Billing == nil {
		return c, err
	}
	return c, c.addBill(res, &p, res.Config.Billing)
}

// addBill applies the scenario's commitments to the run's usage (Bill) and
// prices the commitment curve.
func (c *Cost) addBill(res *sim.Result, p *Prices, b *catalog.Billing) error {
	u, err := meterUsage(res, p)
	if err != nil {
		return err
	}
	riPrice, err := riPrices(b, p)
	if err != nil {
		return err
	}
	c.Bill = billFor(u, b, riPrice)
	c.Bill.ManagedInstancesUSD = c.ManagedInstancesUSD // managedinstances.go: no commitment covers it
	c.Bill.TotalUSD += c.ManagedInstancesUSD
	c.Commitment = commitmentCurve(u, b, riPrice)
	return nil
}

// providers names every capacity provider that was used, in the run's order;
// instances of a group no capacity provider uses go under the group's name.
func (l *ledger) providers() {
	res := l.res
	order := map[int]string{}
	l.instProv = make([]int, len(res.Instances))
	key := make([]int, len(res.Instances))
	for i, in := range res.Instances {
		if in.Provider >= 0 {
			key[i] = in.Provider
			order[key[i]] = res.Providers[in.Provider].Name
		} else {
			key[i] = len(res.Providers) + in.Group
			order[key[i]] = res.Config.Groups[in.Group].Name + " (no capacity provider)"
		}
	}
	for _, t := range res.Tasks.All() {
		if t.Instance < 0 {
			order[int(t.Provider)] = res.Providers[t.Provider].Name
		}
	}
	index := map[int]int{}
	for _, k := range slices.Sorted(maps.Keys(order)) {
		index[k] = len(l.provNames)
		l.provNames = append(l.provNames, order[k])
	}
	for i := range key {
		l.instProv[i] = index[key[i]]
	}
	l.provOf = index
}

func (l *ledger) rateOf(r rate) int {
	i, ok := l.rateIndex[r]
	if !ok {
		i = len(l.rates)
		l.rates = append(l.rates, r)
		l.rateIndex[r] = i
	}
	return i
}

// spread adds billed seconds [from, from+billed s) to the hourly meters,
// m scaled by each hour's whole seconds. Seconds past the last hour (a
// minimum charge near the end) count in the last hour.
func (l *ledger) spread(prov, rt int, from des.Time, billed int64, per meter) {
	start := from.Duration()
	cum := func(t time.Duration) int64 { return min(max(int64((t-start)/time.Second), 0), billed) }
	first := int(start / time.Hour)
	for h := first; h < l.hours; h++ {
		lo, hi := cum(time.Duration(h)*time.Hour), cum(time.Duration(h+1)*time.Hour)
		if h == l.hours-1 {
			hi = billed
		}
		if n := hi - lo; n > 0 {
			a := account{prov, rt, h}
			m := l.meters[a]
			m.add(meter{sec: per.sec * n, cpuSec: per.cpuSec * n, mibSec: per.mibSec * n})
			l.meters[a] = m
		}
		if hi == billed {
			return
		}
	}
}

func (l *ledger) instance(i int) {
	in := &l.res.Instances[i]
	po := PurchaseOnDemand
	if in.Purchase == capacity.Spot {
		po = PurchaseSpot
	}
	rt := l.rateOf(rate{in.Type, po, ""})
	l.count[rt]++
	if FreeSpotInterruption(in.InstanceUsage) {
		l.free[i] = true
		return
	}
	billed := BilledSeconds(in.Launched, in.Terminated, l.prices.EC2Minimum)
	if in.Purchase == capacity.Spot && l.prices.varyingSpot() {
		if err := l.spreadSpot(l.instProv[i], rt, &in.InstanceUsage, billed); err != nil && l.err == nil {
			l.err = err
		}
		return
	}
	l.spread(l.instProv[i], rt, in.Launched, billed, meter{sec: 1})
}

// FreeSpotInterruption reports whether an instance's use is not charged:
// a Spot instance that EC2 interrupted (reclaimed) before it had run an
// hour. AWS (EC2 User Guide, "Billing for interrupted Spot Instances",
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-for-interrupted-spot-instances.html):
// interrupted by Amazon EC2 in the first hour, Linux and Windows (SUSE
// excluded): no charge; in any hour after the first: charged for the
// seconds used. Stopped or terminated by the user (or their scaling):
// charged for the seconds used. fleetsim's instances are Linux.
func FreeSpotInterruption(u capacity.InstanceUsage) bool {
	return u.Purchase == capacity.Spot && u.End == capacity.EndReclaimed && u.Terminated-u.Launched < des.At(time.Hour)
}

func (l *ledger) task(t *ecs.TaskUsage) {
	cpu, mem := int64(t.CPUUnits), int64(t.MemoryMiB)
	if t.Instance >= 0 {
		if l.free[t.Instance] {
			return // the instance is not billed: neither is its tasks' share
		}
		in := &l.res.Instances[t.Instance]
		po := PurchaseOnDemand
		if in.Purchase == capacity.Spot {
			po = PurchaseSpot
		}
		// Whole clock seconds held, so that no float time enters.
		secs := max(int64(t.Stop.Duration()/time.Second)-int64(t.Start.Duration()/time.Second), 0)
		rt := l.rateOf(rate{in.Type, po, ""})
		m := l.ownerEC2[t.Owner][rt]
		m.add(meter{cpuSec: cpu * secs, mibSec: mem * secs})
		if po == PurchaseSpot && l.prices.varyingSpot() {
			// The task's share of its instance at the prices in effect
			// while it held its reservation.
			usd, err := l.prices.SpotUSD(in.Type, in.AZ, des.At(time.Duration(t.Start.Duration()/time.Second)*time.Second), secs)
			cpuReg, memReg, e := l.registered(in.Type)
			if err = cmp.Or(err, e); err != nil {
				if l.err == nil {
					l.err = err
				}
				return
			}
			m.nanoUSD += nano(usd * (float64(cpu)/cpuReg + float64(mem)/memReg) / 2)
		}
		l.ownerEC2[t.Owner][rt] = m
		return
	}
	po := PurchaseFargate
	if l.res.Providers[t.Provider].Spot {
		po = PurchaseFargateSpot
	}
	rt := l.rateOf(rate{"", po, fargatePlatformOf(l.res, t)})
	l.count[rt]++
	billed := BilledSeconds(t.Start, t.Stop, l.prices.fargateMinimum(l.res, fargatePlatformOf(l.res, t)))
	l.spread(l.provOf[int(t.Provider)], rt, t.Start, billed, meter{cpuSec: cpu, mibSec: mem})
	m := l.ownerFG[t.Owner][rt]
	m.add(meter{cpuSec: cpu * billed, mibSec: mem * billed})
	l.ownerFG[t.Owner][rt] = m
}

// usd prices a meter at rate rt.
func (l *ledger) usd(rt int, m meter) (float64, error) {
	r := l.rates[rt]
	if r.typ == "" {
		return l.prices.fargatePlatformUSD(r.platform, m.cpuSec, m.mibSec, r.purchase == PurchaseFargateSpot), nil
	}
	if r.purchase == PurchaseSpot && l.prices.varyingSpot() {
		return float64(m.nanoUSD) / 1e9, nil
	}
	perHour, err := l.prices.InstanceUSDPerHour(r.typ, r.option())
	return float64(m.sec) / 3600 * perHour, err
}

// option is the EC2 purchase option of an instance rate.
func (r rate) option() capacity.PurchaseOption {
	if r.purchase == PurchaseSpot {
		return capacity.Spot
	}
	return capacity.OnDemand
}

// sortedRates returns rate indexes: instance types by name, on-demand before
// spot, then Fargate.
func (l *ledger) sortedRates() []int {
	idx := make([]int, len(l.rates))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		ra, rb := l.rates[a], l.rates[b]
		return cmp.Or(cmp.Compare(boolInt(ra.typ == ""), boolInt(rb.typ == "")),
			cmp.Compare(ra.typ, rb.typ), cmp.Compare(ra.purchase, rb.purchase), cmp.Compare(ra.platform, rb.platform))
	})
	return idx
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (l *ledger) cost() (*Cost, error) {
	c := &Cost{Prices: *l.prices, SimulatedSeconds: int64(l.res.End.Duration() / time.Second)}
	if err := l.byRate(c); err != nil {
		return nil, err
	}
	if err := l.byHour(c); err != nil {
		return nil, err
	}
	if err := l.byOwner(c); err != nil {
		return nil, err
	}
	if days := l.res.End.Duration().Hours() / 24; days > 0 {
		c.PerDayUSD = c.TotalUSD / USD(days)
	}
	return c, nil
}

// byRate fills the total and the breakdowns by instance type, Fargate,
// purchase option and capacity provider, each from integer sums.
func (l *ledger) byRate(c *Cost) error {
	perRate := make([]meter, len(l.rates))
	perProv := make([]map[int]meter, len(l.provNames))
	for i := range perProv {
		perProv[i] = map[int]meter{}
	}
	for a, m := range l.meters { // integer sums: order does not matter
		perRate[a.rate].add(m)
		pm := perProv[a.prov][a.rate]
		pm.add(m)
		perProv[a.prov][a.rate] = pm
	}
	byPurchase := map[string]float64{}
	for _, rt := range l.sortedRates() {
		usd, err := l.usd(rt, perRate[rt])
		if err != nil {
			return err
		}
		r, m := l.rates[rt], perRate[rt]
		c.TotalUSD += USD(usd)
		byPurchase[r.purchase] += usd
		if r.typ == "" {
			c.Fargate = append(c.Fargate, FargateUsage{Purchase: r.purchase, Platform: r.platform, Tasks: l.count[rt],
				CPUUnitSeconds: m.cpuSec, MiBSeconds: m.mibSec, USD: USD(usd)})
			continue
		}
		perHour, _ := l.prices.InstanceUSDPerHour(r.typ, r.option())
		if r.purchase == PurchaseSpot && l.prices.varyingSpot() && m.sec > 0 {
			perHour = usd / (float64(m.sec) / 3600) // the mean price paid
		}
		c.ByInstanceType = append(c.ByInstanceType, TypeCost{Type: r.typ, Purchase: r.purchase,
			Launches: l.count[rt], InstanceSeconds: m.sec, USDPerHour: perHour, USD: USD(usd)})
	}
	for _, po := range []string{PurchaseOnDemand, PurchaseSpot, PurchaseFargate, PurchaseFargateSpot} {
		if v, ok := byPurchase[po]; ok {
			c.ByPurchase = append(c.ByPurchase, CostLine{po, USD(v)})
		}
	}
	for p, name := range l.provNames {
		var sum float64
		for _, rt := range slices.Sorted(maps.Keys(perProv[p])) {
			usd, _ := l.usd(rt, perProv[p][rt])
			sum += usd
		}
		c.ByProvider = append(c.ByProvider, CostLine{name, USD(sum)})
	}
	return nil
}

// byHour prices each hourly meter.
func (l *ledger) byHour(c *Cost) error {
	c.Hourly = HourlyCost{Providers: l.provNames, USD: make([][]USD, l.hours)}
	for h := range c.Hourly.USD {
		c.Hourly.USD[h] = make([]USD, len(l.provNames))
	}
	keys := slices.SortedFunc(maps.Keys(l.meters), func(a, b account) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.prov, b.prov), cmp.Compare(a.rate, b.rate))
	})
	for _, a := range keys {
		usd, err := l.usd(a.rate, l.meters[a])
		if err != nil {
			return err
		}
		c.Hourly.USD[a.hour][a.prov] += USD(usd)
	}
	return nil
}

// byOwner shares EC2 cost by reservation and adds each owner's Fargate bill;
// what is left of the EC2 bill is idle capacity.
func (l *ledger) byOwner(c *Cost) error {
	var ec2Total, shared float64
	for _, t := range c.ByInstanceType {
		ec2Total += float64(t.USD)
	}
	for o, info := range l.res.Owners {
		oc := OwnerCost{Name: info.Name, Kind: "job"}
		if info.Service {
			oc.Kind = "service"
		}
		for _, rt := range slices.Sorted(maps.Keys(l.ownerEC2[o])) {
			usd, err := l.reservedUSD(rt, l.ownerEC2[o][rt])
			if err != nil {
				return err
			}
			oc.EC2USD += USD(usd)
		}
		for _, rt := range slices.Sorted(maps.Keys(l.ownerFG[o])) {
			usd, _ := l.usd(rt, l.ownerFG[o][rt])
			oc.FargateUSD += USD(usd)
		}
		oc.USD = oc.EC2USD + oc.FargateUSD
		shared += float64(oc.EC2USD)
		c.ByOwner = append(c.ByOwner, oc)
	}
	idle := USD(ec2Total - shared)
	c.ByOwner = append(c.ByOwner, OwnerCost{Name: IdleCapacity, Kind: "idle", EC2USD: idle, USD: idle})
	return nil
}

// reservedUSD prices reserved CPU-unit- and MiB-seconds on instances of
// rate rt: price/3600 x (cpuSec/registeredCPU + mibSec/registeredMiB) / 2.
func (l *ledger) reservedUSD(rt int, m meter) (float64, error) {
	r := l.rates[rt]
	if r.purchase == PurchaseSpot && l.prices.varyingSpot() {
		return float64(m.nanoUSD) / 1e9, nil // priced task by task (ledger.task)
	}
	perHour, err := l.prices.InstanceUSDPerHour(r.typ, r.option())
	if err != nil {
		return 0, err
	}
	cpuReg, memReg, err := l.registered(r.typ)
	if err != nil {
		return 0, err
	}
	return perHour / 3600 * (float64(m.cpuSec)/cpuReg + float64(m.mibSec)/memReg) / 2, nil
}

// registered is the CPU units and MiB an instance of typ registers.
func (l *ledger) registered(typ string) (cpu, mem float64, err error) {
	if l.prices.Catalog == nil {
		return 0, 0, fmt.Errorf("report: instance type %q: no catalog, its size is unknown", typ)
	}
	it, ok := l.prices.Catalog.Lookup(typ)
	if !ok {
		return 0, 0, fmt.Errorf("report: instance type %q: not in the catalog, its size is unknown", typ)
	}
	return float64(it.VCPU * 1024), float64(l.res.Config.Settings.RegisteredMemoryMiB(it)), nil
}
