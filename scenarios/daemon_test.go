package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
)

func daemonSource(t *testing.T) string {
	t.Helper()
	src, err := fs.ReadFile(LibraryFS(), "daemon-log-agent.toml")
	require.NoError(t, err)
	return string(src)
}

func TestTheDaemonLogAgentScenarioReadsAsADaemon(t *testing.T) {
	s, err := parseLibrary(daemonSource(t))
	require.NoError(t, err)
	agent := s.Config.Services[0]
	assert.True(t, agent.Daemon)
	assert.Equal(t, "EC2", agent.LaunchType)
	assert.Equal(t, 100, agent.MaximumPercent, "AWS: a daemon's maximumPercent is 100")
	assert.Equal(t, 0, agent.MinimumHealthyPercent, "AWS: a daemon's minimumHealthyPercent defaults to 0")
	assert.False(t, agent.AZRebalancing, "no Availability Zone rebalancing for a daemon (choice)")
	assert.False(t, s.Config.Services[1].Daemon)
}

func TestDaemonServiceKeysAreRefusedWithAClearError(t *testing.T) {
	const anchor = `scheduling_strategy = "DAEMON"     # one task per instance: no desired_count, no auto scaling`
	for _, tc := range []struct{ add, key, want string }{
		{"desired_count = 3", "services.log-agent.desired_count", "no desired_count on a DAEMON service"},
		{`launch_type = "FARGATE"`, "services.log-agent.launch_type", "Fargate does not support the DAEMON scheduling strategy"},
		{`placement_strategy = [{ type = "spread", field = "instanceId" }]`, "services.log-agent.placement_strategy", "no placement_strategy"},
		{`capacity_provider_strategy = [{ capacity_provider = "web-cp", weight = 1 }]`, "services.log-agent.capacity_provider_strategy", "no capacity_provider_strategy"},
		{`deployment_configuration = { maximum_percent = 200 }`, "services.log-agent.deployment_configuration.maximum_percent", "100 for a DAEMON service"},
		{"auto_scaling = { min_capacity = 1, max_capacity = 2 }", "services.log-agent.auto_scaling", "no auto_scaling on a DAEMON service"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			src := strings.Replace(daemonSource(t), anchor, anchor+"\n"+tc.add, 1)
			_, err := parseLibrary(src)
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, tc.key)
			assert.Contains(t, msg, tc.want)
			assert.Contains(t, msg, "test.toml:", "the file and line are named")
		})
	}
	_, err := parseLibrary(strings.Replace(daemonSource(t), `"DAEMON"`, `"DAEMONS"`, 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scheduling_strategy")
}

func TestProtectionExpiryIsRefusedOutsideAWSsRange(t *testing.T) {
	// AWS (UpdateTaskProtection): expiresInMinutes from 1 to 2,880.
	entry := func(expires string) string {
		return daemonSource(t) + "\n[[timeline]]\nat = \"1h\"\naction = \"protect_tasks\"\nservice = \"web\"\ncount = 2\n" + expires
	}
	s, err := parseLibrary(entry(""))
	require.NoError(t, err)
	e := s.Config.Timeline[0]
	assert.Equal(t, 2*time.Hour, e.ExpiresIn, "default 2 hours")
	assert.True(t, e.ProtectionEnabled)
	s, err = parseLibrary(entry(`expires_in = "30m"`))
	require.NoError(t, err)
	assert.Equal(t, 30*time.Minute, s.Config.Timeline[0].ExpiresIn)
	for _, bad := range []string{`"30s"`, `"2881m"`, `"90s"`, `"49h"`} {
		_, err := parseLibrary(entry("expires_in = " + bad))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "timeline.0.expires_in")
		assert.Contains(t, err.Error(), "2880", bad)
	}
	_, err = parseLibrary(strings.Replace(entry(""), `service = "web"`, `service = "log-agent"`, 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a DAEMON service")
}

func TestTheLogAgentChangesDensity(t *testing.T) {
	// The library scenario's promise: beside the 512-unit agent three
	// 1,024-unit web tasks fit an m6i.xlarge instead of four, so the same
	// load peaks at more instances (12 against 9 for seed 41).
	with := runLibrary(t, "daemon-log-agent")
	src := daemonSource(t)
	a, b := strings.Index(src, "[[services]]\nname = \"log-agent\""), strings.Index(src, "[[services]]\nname = \"web\"")
	require.True(t, a >= 0 && b > a)
	sc, err := parseLibrary(src[:a] + src[b:])
	require.NoError(t, err)
	without, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	assert.Greater(t, with.Summary.Instances.Peak, without.Summary.Instances.Peak)
	assert.Equal(t, 12, with.Summary.Instances.Peak)
	assert.Equal(t, 9, without.Summary.Instances.Peak)
}
