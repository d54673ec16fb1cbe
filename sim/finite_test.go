package sim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

func TestANonFiniteSummaryFigureIsABreachNamingIt(t *testing.T) {
	s := Summary{Services: []ecs.ServiceSummary{{Name: "web", AvailabilityPct: 100}, {Name: "api", SLOAttainmentPct: math.NaN()}}}
	err := checkFinite(s)
	require.ErrorIs(t, err, ErrInvariant)
	assert.Contains(t, err.Error(), "summary services.1.slo_attainment_pct is NaN")
	s.Services[1].SLOAttainmentPct = 99
	s.Services[0].PlacementWait.P95 = math.Inf(1)
	assert.ErrorContains(t, checkFinite(s), "services.0.placement_wait.p95_s is +Inf")
	s.Services[0].PlacementWait.P95 = 3
	assert.NoError(t, checkFinite(s))
}
