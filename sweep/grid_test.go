package sweep

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
)

// spec builds a sweep of a library scenario cut to two simulated hours.
func spec(t *testing.T, name string, seeds int, axes ...string) Spec {
	t.Helper()
	sc, readRel, err := Resolve(name)
	require.NoError(t, err)
	short, err := ParseOverride(`duration="2h"`)
	require.NoError(t, err)
	s := Spec{Base: sc, ReadRel: readRel, Set: []Override{short}, Seeds: seeds}
	for _, a := range axes {
		ax, err := ParseAxis(a)
		require.NoError(t, err)
		s.Axes = append(s.Axes, ax)
	}
	return s
}

func TestTheGridIsTheCartesianProductFirstAxisSlowest(t *testing.T) {
	p, err := NewPlan(spec(t, "web-and-batch", 2,
		"services.web.desired_count=4,6",
		"services.api.desired_count=2,3,4"))
	require.NoError(t, err)
	require.Len(t, p.Variants, 6, "2 x 3 values")
	var got []string
	for _, v := range p.Variants {
		got = append(got, v.Values[0].Text+"/"+v.Values[1].Text)
	}
	assert.Equal(t, []string{"4/2", "4/3", "4/4", "6/2", "6/3", "6/4"}, got)
	require.Len(t, p.Runs, 12, "6 variants x 2 seeds")
	for i, r := range p.Runs {
		assert.Equal(t, i, r.Index)
		assert.Equal(t, i/2+1, r.Variant)
		assert.Equal(t, i%2, r.SeedNum)
		assert.Equal(t, SeedFor(42, i%2), r.Seed, "web-and-batch's seed is 42")
	}
	assert.Contains(t, p.Variants[5].Source, "desired_count = 6")
}

func TestASweepWithoutAxesIsOneVariant(t *testing.T) {
	p, err := NewPlan(spec(t, "diurnal-target-tracking", 3))
	require.NoError(t, err)
	assert.Len(t, p.Variants, 1)
	assert.Len(t, p.Runs, 3)
}

func TestSeedsDeriveFromTheScenarioSeedAndTheirNumberOnly(t *testing.T) {
	assert.Equal(t, SeedFor(11, 0), SeedFor(11, 0))
	assert.NotEqual(t, SeedFor(11, 0), SeedFor(11, 1))
	assert.NotEqual(t, SeedFor(11, 0), SeedFor(12, 0))
}

func TestOverridesAreValidatedLikeAFile(t *testing.T) {
	tests := []struct {
		name string
		axis string
		want []string
	}{
		{"a negative desired count", "services.web.desired_count=4,-1",
			[]string{`with duration="2h", services.web.desired_count=-1:`, "want desired_count >= 0, found -1"}},
		{"an unknown key, with the validator's hint", "services.web.desired_cont=4",
			[]string{"desired_cont", "unknown key", `did you mean "desired_count"?`}},
		{"an unknown instance type", `auto_scaling_groups.asg-main.instance_types=["m5.large"],["m9.huge"]`,
			[]string{"m9.huge"}},
		{"a path that matches nothing", "services.wbe.desired_count=4",
			[]string{`no entry of services is named "wbe"`, "0 web, 1 api"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPlan(spec(t, "web-and-batch", 1, tc.axis))
			require.Error(t, err)
			var ps scenarios.Problems
			require.True(t, errors.As(err, &ps), "problems are scenarios.Problems, for exit code 2: %v", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, p := range ps {
				assert.Zero(t, p.Line, "lines of the re-encoded text are not shown")
			}
		})
	}
}

func TestABadFixedOverrideIsReportedOnce(t *testing.T) {
	s := spec(t, "web-and-batch", 1, "services.web.desired_count=4,5,6")
	bad, err := ParseOverride("services.web.nope=1")
	require.NoError(t, err)
	s.Set = append(s.Set, bad)
	_, err = NewPlan(s)
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "unknown key"), err.Error())
}

func TestAKeyIsVariedOnlyOnce(t *testing.T) {
	_, err := NewPlan(spec(t, "web-and-batch", 1, "services.web.desired_count=4,5", "services.web.desired_count=6"))
	assert.ErrorContains(t, err, "twice")
	var ps scenarios.Problems
	require.ErrorAs(t, err, &ps, "bad input, for the CLI's exit 2")
	assert.Equal(t, "--vary: services.web.desired_count: want each key set or varied once, found it twice", ps[0].Error())
	_, err = NewPlan(spec(t, "web-and-batch", 0))
	assert.ErrorContains(t, err, "at least one seed")
}

func TestParseShardIsZeroBased(t *testing.T) {
	tests := []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/3", Shard{0, 3}, true},
		{"2/3", Shard{2, 3}, true},
		{"0/1", Shard{0, 1}, true},
		{"3/3", Shard{}, false},
		{"-1/3", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseShard(tc.in)
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestShardsPartitionTheRunList(t *testing.T) {
	p, err := NewPlan(spec(t, "web-and-batch", 3, "services.web.desired_count=4,5,6,7"))
	require.NoError(t, err)
	seen := map[int]int{}
	for i := range 5 {
		for _, r := range p.RunsOf(Shard{i, 5}) {
			assert.Equal(t, i, r.Index%5)
			seen[r.Index]++
		}
	}
	assert.Len(t, seen, len(p.Runs))
	for idx, n := range seen {
		assert.Equal(t, 1, n, "run %d", idx)
	}
}

func TestABadKeyOrValueIsReportedOnceNamingTheKeyAsGiven(t *testing.T) {
	tests := []struct {
		name string
		axis string
		want string
	}{
		{"a leaf key that does not exist", "services.web.desird_count=4,5",
			`library/web-and-batch.toml: services.web.desird_count: unknown key "desird_count" in services.web (did you mean "desired_count"?)`},
		{"a top-level key", `duraton="1h","2h"`,
			`library/web-and-batch.toml: duraton: unknown key "duraton" in the scenario (did you mean "duration"?)`},
		{"a table that does not exist, not its keys too", `clustr.name="a","b"`,
			`library/web-and-batch.toml: clustr.name: unknown key "clustr" in the scenario (did you mean "cluster"?)`},
		{"an entry addressed by index", "services.0.desird_count=4",
			`services.0.desird_count: unknown key "desird_count" in services.0 (did you mean "desired_count"?)`},
		{"a misspelt table above a list index", "services.web.auto_scalng.target_tracking.0.target_value=50,60",
			`services.web.auto_scalng: services.web has no key "auto_scalng" (did you mean "auto_scaling"?)`},
		{"a misspelt entry name", "services.wbe.desired_count=4,5",
			`no entry of services is named "wbe" (did you mean "web"? there are: 0 web, 1 api)`},
		{"a key inside an inline table value", `capacity_providers.ec2-main.managed_scaling={ target_capcity = 50 }`,
			`with capacity_providers.ec2-main.managed_scaling={ target_capcity = 50 }: capacity_providers.ec2-main.managed_scaling: the value has an unknown key capacity_providers.ec2-main.managed_scaling.target_capcity (did you mean "target_capacity"?)`},
		{"a value of the wrong type names the variant and the key", `services.web.desired_count=4,"four"`,
			`services.web.desired_count="four": services.web.desired_count: want an integer, found "four", a string`},
		{"an array of the wrong elements", `auto_scaling_groups.asg-main.instance_types=["m5.large"],[1]`,
			`instance_types=[1]: auto_scaling_groups.asg-main.instance_types.0: want a string, found 1, an integer`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := spec(t, "web-and-batch", 1, tc.axis)
			_, err := NewPlan(s)
			var ps scenarios.Problems
			require.ErrorAs(t, err, &ps, "scenarios.Problems, for exit code 2")
			assert.Len(t, ps, 1, "once, not once per variant: %v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "line ", "no line of the re-encoded text")
		})
	}
}

func TestABadFixedKeyIsNamedAsAVariedOneIs(t *testing.T) {
	s := spec(t, "web-and-batch", 1, "services.web.desired_count=4,5")
	bad, err := ParseOverride(`services.web.desired_count.x=1`)
	require.NoError(t, err)
	typo, err := ParseOverride(`cluster.nme="x"`)
	require.NoError(t, err)
	s.Set = append(s.Set, typo, bad)
	_, err = NewPlan(s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cluster.nme: unknown key "nme" in cluster (did you mean "name"?)`)
	assert.Contains(t, err.Error(), "services.web.desired_count is a value")
}

func TestParseAxisRefusesAnEmptyGrid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"no values", "services.web.desired_count=", "services.web.desired_count: no values: an empty grid (want services.web.desired_count=V1,V2,...)"},
		{"blanks only", "services.web.desired_count=  ", "no values"},
		{"a stray comma", "services.web.desired_count=4,", "value 2 of 2 is empty (a stray comma?)"},
		{"no equals sign", "services.web.desired_count", "want KEY=V1,V2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAxis(tc.in)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestParseShardSaysWhatIsWrong(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"1", "want I/N, two integers"},
		{"a/b", "want I/N, two integers"},
		{"1/2/3", "want I/N, two integers"},
		{"", "want I/N"},
		{"0/0", "want at least one shard (N >= 1)"},
		{"1/-2", "want at least one shard"},
		{"3/3", "want 0 <= I < N (shards are numbered from 0): 0/3, 1/3, 2/3"},
		{"-1/3", "want 0 <= I < N"},
		{"9/8", "0/8 .. 7/8"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseShard(tc.in)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
