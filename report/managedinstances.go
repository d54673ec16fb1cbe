package report

import (
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// ManagedInstancesLine names the Amazon ECS Managed Instances management
// fee in the breakdowns.
const ManagedInstancesLine = "ECS Managed Instances management"

// managedInstancesFee is the management fee of a run's Managed Instances:
// AWS (Amazon ECS pricing): a fee per instance-hour by instance type, on top
// of the EC2 price, billed per second with a one-minute minimum; fleetsim
// prices it as ManagedInstancesConfig.ManagementFeePercent of the type's
// On-Demand price (docs/semantics/ecs-managed-instances.md), whatever the
// purchase option, and no commitment covers it (choice). It returns the
// fee per capacity provider name, hour by hour, and the total.
func managedInstancesFee(res *sim.Result, p *Prices, hours int) (byProv map[string][]float64, total float64, err error) {
	if res.Config == nil {
		return nil, 0, nil
	}
	byProv = map[string][]float64{}
	for i := range res.Instances {
		in := &res.Instances[i]
		if in.Provider < 0 || in.Provider >= len(res.Providers) {
			continue
		}
		prov := res.Providers[in.Provider]
		m := miOfGroup(res.Config, prov.Group)
		if m == nil {
			continue
		}
		od, e := p.InstanceUSDPerHour(in.Type, capacity.OnDemand)
		if e != nil {
			return nil, 0, e
		}
		perSecond := m.ManagementFeeUSDPerHour(od) / 3600
		if byProv[prov.Name] == nil {
			byProv[prov.Name] = make([]float64, hours)
		}
		billed := BilledSeconds(in.Launched, in.Terminated, time.Minute)
		spreadHours(in.Launched, billed, hours, func(h int, n int64) {
			usd := float64(n) * perSecond
			byProv[prov.Name][h] += usd
			total += usd
		})
	}
	return byProv, total, nil
}

func miOfGroup(cfg *sim.Config, g int) *ecs.ManagedInstancesConfig {
	for i := range cfg.CapacityProviders {
		if cp := &cfg.CapacityProviders[i]; cp.Group == g && cp.ManagedInstances != nil {
			return cp.ManagedInstances
		}
	}
	return nil
}

// addManagementFee puts the Managed Instances management fee into the
// cost: its own purchase-option line, its provider's line, the hours and
// the total. A run without Managed Instances is left as it was.
func (c *Cost) addManagementFee(res *sim.Result, p *Prices) error {
	hours := max(len(c.Hourly.USD), 1)
	byProv, total, err := managedInstancesFee(res, p, hours)
	if err != nil || total == 0 {
		return err
	}
	c.ManagedInstancesUSD = USD(total)
	c.TotalUSD += USD(total)
	if days := res.End.Duration().Hours() / 24; days > 0 {
		c.PerDayUSD = c.TotalUSD / USD(days)
	}
	c.ByPurchase = append(c.ByPurchase, CostLine{ManagedInstancesLine, USD(total)})
	for i := range c.ByProvider {
		for _, usd := range byProv[c.ByProvider[i].Name] {
			c.ByProvider[i].USD += USD(usd)
		}
	}
	for prov, name := range c.Hourly.Providers {
		for h, usd := range byProv[name] {
			if h < len(c.Hourly.USD) {
				c.Hourly.USD[h][prov] += USD(usd)
			}
		}
	}
	return nil
}
