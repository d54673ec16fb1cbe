package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
)

func runLibrary(t *testing.T, name string) *sim.Result {
	t.Helper()
	sc, err := Resolve(name)
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	return res
}

// The deployment and failure scenarios the library ships show what they
// promise.
func TestDeploymentAndFaultScenariosShowWhatTheyPromise(t *testing.T) {
	t.Run("a rolling deployment at peak keeps the minimum healthy", func(t *testing.T) {
		s := runLibrary(t, "rolling-deploy-at-peak").Summary.Services[0]
		assert.Equal(t, 2, s.DeploymentsCompleted, "the first deployment and the one at peak")
		assert.Equal(t, 100.0, s.AvailabilityPct)
		assert.Equal(t, "api:8", s.TaskDefinition)
	})
	t.Run("a broken image trips the circuit breaker at 0.5 x 10 and rolls back", func(t *testing.T) {
		res := runLibrary(t, "broken-deploy-rollback")
		s := res.Summary.Services[0]
		assert.Equal(t, 1, s.DeploymentsFailed)
		assert.Equal(t, 1, s.RolledBack)
		assert.Equal(t, "payments:41", s.TaskDefinition)
		var failed string
		for _, e := range res.Events {
			if e.Type == "DeploymentFailed" {
				failed = e.Reason
			}
		}
		assert.Contains(t, failed, "threshold 5")
	})
	t.Run("a zone outage costs capacity that comes back", func(t *testing.T) {
		res := runLibrary(t, "az-outage")
		failed := 0
		for _, e := range res.Events {
			if e.Type == "InstanceFailed" && strings.Contains(e.Reason, "us-east-1a") {
				failed++
			}
		}
		assert.Positive(t, failed)
		for _, s := range res.Summary.Services {
			assert.Equal(t, s.DesiredAtEnd, s.RunningAtEnd, "%s recovered", s.Name)
			assert.Less(t, s.AvailabilityPct, 100.0, "%s felt the outage", s.Name)
		}
	})
}
