package scenarios

import (
	"strconv"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// launchRatesSchema is [settings.launch_rates]: present, ECS's and
// Fargate's task launch rates and the PROVISIONING cap apply, each at AWS's
// default unless given (ecs.LaunchRates; docs/semantics/ecs-launch-rates.md).
type launchRatesSchema struct {
	FargateBurst           *int      `toml:"fargate_burst" min:"1" max:"1000000"`
	FargatePerSecond       *int      `toml:"fargate_tasks_per_second" min:"1" max:"1000000"`
	FargateSpotBurst       *int      `toml:"fargate_spot_burst" min:"1" max:"1000000"`
	FargateSpotPerSecond   *int      `toml:"fargate_spot_tasks_per_second" min:"1" max:"1000000"`
	ServicePerMinute       *int      `toml:"service_tasks_per_minute" min:"1" max:"1000000"`
	ProvisioningPerCluster *int      `toml:"provisioning_tasks_per_cluster" min:"1" max:"1000000"`
	ProvisioningRecheck    *Duration `toml:"provisioning_recheck" max:"1h"`
}

// launchRates turns [settings.launch_rates] into ecs.LaunchRates: nil
// when the table is absent.
func (v *validator) launchRates(f *launchRatesSchema) *ecs.LaunchRates {
	if f == nil {
		return nil
	}
	lr := ecs.DefaultLaunchRates()
	set := func(dst *int, src *int, key string) {
		if src == nil {
			return
		}
		if *src < 1 {
			v.bad(p("settings", "launch_rates", key), "a whole number >= 1", strconv.Itoa(*src))
			return
		}
		*dst = *src
	}
	set(&lr.FargateBurst, f.FargateBurst, "fargate_burst")
	set(&lr.FargatePerSecond, f.FargatePerSecond, "fargate_tasks_per_second")
	set(&lr.FargateSpotBurst, f.FargateSpotBurst, "fargate_spot_burst")
	set(&lr.FargateSpotPerSecond, f.FargateSpotPerSecond, "fargate_spot_tasks_per_second")
	set(&lr.ServicePerMinute, f.ServicePerMinute, "service_tasks_per_minute")
	set(&lr.ProvisioningPerCluster, f.ProvisioningPerCluster, "provisioning_tasks_per_cluster")
	if d := f.ProvisioningRecheck; d != nil {
		if d.Duration <= 0 {
			v.bad(p("settings", "launch_rates", "provisioning_recheck"), "a duration > 0", d.String())
		} else {
			lr.ProvisioningRecheck = d.Duration
		}
	}
	return &lr
}
