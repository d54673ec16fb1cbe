package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
)

// withMI puts the small base's service on a Managed Instances provider "mi"
// with the given managed_instances_provider body.
func withMI(t *testing.T, body string) string {
	src := replaceOnce(t, smallBase, `capacity_provider = "cp"`, `capacity_provider = "mi"`)
	return src + "\n[[capacity_providers]]\nname = \"mi\"\n  [capacity_providers.managed_instances_provider]\n" + body + "\n"
}

func TestManagedInstancesProviderKeysAndProblems(t *testing.T) {
	s, ps := parseSmall(withMI(t, `  infrastructure_optimization = { scale_in_after = 120 }
  event_window = { start_week_day = "saturday", start_hour = 2 }
  [capacity_providers.managed_instances_provider.instance_launch_template]
  capacity_option_type = "SPOT"
  [capacity_providers.managed_instances_provider.instance_launch_template.instance_requirements]
  vcpu_count = { min = 2, max = 2 }
  memory_mib = { min = 8192, max = 8192 }
  cpu_manufacturers = ["intel"]`), nil)
	require.Empty(t, ps)
	cfg := s.Config
	require.Len(t, cfg.CapacityProviders, 2)
	cp := cfg.CapacityProviders[1]
	require.NotNil(t, cp.ManagedInstances)
	m := cp.ManagedInstances
	assert.Equal(t, 120*time.Second, m.ScaleInAfter)
	assert.Equal(t, capacity.Spot, m.Purchase)
	assert.Equal(t, 14*24*time.Hour, m.DrainAfter, "AWS: draining at day 14")
	assert.Equal(t, 21*24*time.Hour, m.TerminateAfter, "AWS: gone by day 21")
	assert.Equal(t, 12.0, m.ManagementFeePercent)
	require.NotNil(t, m.EventWindow)
	assert.Equal(t, time.Saturday, m.EventWindow.Weekday)
	assert.True(t, cp.ManagedDraining)
	require.Len(t, cfg.Groups, 2)
	g := cfg.Groups[cp.Group]
	assert.Equal(t, "mi-managed-instances", g.Name)
	assert.True(t, g.Direct)
	assert.Equal(t, cfg.Cluster.AvailabilityZones, g.AvailabilityZones)
	assert.Equal(t, 40*time.Second, g.LaunchTime)
	require.NotEmpty(t, g.InstanceTypes)
	assert.Equal(t, "m7i-flex.large", g.InstanceTypes[0].Name, "the cheapest 2 vCPU / 8 GiB Intel type")
	for _, it := range g.InstanceTypes {
		assert.Equal(t, 2, it.VCPU)
	}

	// Defaults: AWS's default selection, 300 s (choice), On-Demand.
	s, ps = parseSmall(withMI(t, ""), nil)
	require.Empty(t, ps)
	m = s.Config.CapacityProviders[1].ManagedInstances
	assert.Equal(t, 300*time.Second, m.ScaleInAfter)
	assert.Equal(t, capacity.OnDemand, m.Purchase)
	assert.False(t, m.OptimizationOff)
	assert.Equal(t, "m6g.large", s.Config.Groups[1].InstanceTypes[0].Name)

	s, ps = parseSmall(withMI(t, "  infrastructure_optimization = { scale_in_after = -1 }"), nil)
	require.Empty(t, ps)
	assert.True(t, s.Config.CapacityProviders[1].ManagedInstances.OptimizationOff)

	for _, tc := range []struct{ name, body, key, want string }{
		{"scale_in_after past 3600", "  infrastructure_optimization = { scale_in_after = 3601 }", "scale_in_after", "3600"},
		{"memory_mib is required", `  [capacity_providers.managed_instances_provider.instance_launch_template.instance_requirements]
  vcpu_count = { min = 2 }`, "memory_mib", "required"},
		{"allowed and excluded together", `  [capacity_providers.managed_instances_provider.instance_launch_template.instance_requirements]
  vcpu_count = { min = 2 }
  memory_mib = { min = 1024 }
  allowed_instance_types = ["m6i.*"]
  excluded_instance_types = ["m6i.large"]`, "excluded_instance_types", "not both"},
		{"nothing matches", `  [capacity_providers.managed_instances_provider.instance_launch_template.instance_requirements]
  vcpu_count = { min = 2, max = 2 }
  memory_mib = { min = 1024 }
  allowed_instance_types = ["t2.*"]`, "instance_requirements", "at least one instance type"},
		{"an unknown manufacturer", `  [capacity_providers.managed_instances_provider.instance_launch_template.instance_requirements]
  vcpu_count = { min = 2 }
  memory_mib = { min = 1024 }
  cpu_manufacturers = ["intl"]`, "cpu_manufacturers", "intel"},
		{"a capacity option", `  [capacity_providers.managed_instances_provider.instance_launch_template]
  capacity_option_type = "RESERVED"`, "capacity_option_type", "ON_DEMAND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseSmall(withMI(t, tc.body), nil)
			require.NotEmpty(t, ps)
			var found bool
			for _, p := range ps {
				if strings.Contains(p.Key, tc.key) && strings.Contains(p.Error(), tc.want) {
					found = true
				}
			}
			assert.True(t, found, "%v", ps)
		})
	}

	// What changes nothing fleetsim measures is no key.
	_, ps = parseSmall(withMI(t, `  infrastructure_role_arn = "arn:aws:iam::123456789012:role/ecsInfrastructureRole"`), nil)
	require.NotEmpty(t, ps)
	assert.Contains(t, ps.Error(), "infrastructure_role_arn")

	// An Auto Scaling group on a Managed Instances provider is refused.
	src := strings.Replace(withMI(t, ""), "name = \"mi\"\n", "name = \"mi\"\nauto_scaling_group = \"asg\"\n", 1)
	_, ps = parseSmall(src, nil)
	require.NotEmpty(t, ps)
	assert.Contains(t, ps.Error(), "no auto_scaling_group on a Managed Instances provider")
}

func TestManagedInstancesLibraryScenarioComparesWithTheASG(t *testing.T) {
	res := runLibrary(t, "managed-instances-vs-asg")
	var asg, mi int
	for _, in := range res.Instances {
		switch res.Config.Groups[in.Group].Name {
		case "api-asg":
			asg++
		case "mi-managed-instances":
			mi++
		}
	}
	assert.Positive(t, asg)
	assert.Positive(t, mi)
	var idle, under int
	draining := map[string]bool{} // underutilized instances draining now
	for _, e := range res.Events {
		switch {
		case e.Type == "InstanceDraining" && e.Reason == "idle":
			idle++
		case e.Type == "InstanceDraining" && e.Reason == "underutilized":
			under++
			assert.Empty(t, draining, "one underutilized instance drains at a time (at %v)", e.At)
			draining[e.Subject] = true
		case e.Type == "InstanceTerminated":
			delete(draining, e.Subject)
		}
	}
	assert.Positive(t, under)
	assert.Positive(t, idle+under, "Managed Instances retired instances as the load fell")
	for _, s := range res.Summary.Services {
		assert.Equal(t, s.DesiredAtEnd, s.RunningAtEnd, s.Name)
	}
}
