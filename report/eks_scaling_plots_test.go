package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A band says its capacity type unless the group's name already does.
func TestANodeGroupBandSaysItsCapacityTypeOnce(t *testing.T) {
	assert.Equal(t, "spot", bandLabel("spot", "Spot"))
	assert.Equal(t, "on-demand", bandLabel("on-demand", "On-Demand"))
	assert.Equal(t, "web: Spot", bandLabel("web", "Spot"))
	assert.Equal(t, "spot-batch: Spot", bandLabel("spot-batch", "Spot"))
}
