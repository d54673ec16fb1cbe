package placement

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGroupCounts: an instance's counts by group, two in the record and
// the rest beside it, keep their order and their counts as groups come
// and go across that boundary.
func TestGroupCounts(t *testing.T) {
	var c candidate
	list := func() []groupCount {
		var out []groupCount
		for i := range c.groups.len() {
			out = append(out, *c.groups.at(i))
		}
		return out
	}
	for g := range int32(5) {
		c.addGroup(g, g+1)
	}
	assert.Equal(t, []groupCount{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}, list())
	c.addGroup(3, 2)
	assert.Equal(t, int32(6), c.groupCount(3))
	c.addGroup(1, -2) // group 1's last task leaves: the later ones move up, in order
	assert.Equal(t, []groupCount{{0, 1}, {2, 3}, {3, 6}, {4, 5}}, list())
	assert.Equal(t, -1, c.groupIndex(1))
	assert.Equal(t, 2, c.groupIndex(3))
	c.addGroup(0, -1)
	c.addGroup(4, -5)
	assert.Equal(t, []groupCount{{2, 3}, {3, 6}}, list())
	assert.Empty(t, c.groups.more, "back within the record")
	c.addGroup(7, 1)
	assert.Equal(t, []groupCount{{2, 3}, {3, 6}, {7, 1}}, list())
	c.addGroup(2, -3)
	c.addGroup(3, -6)
	c.addGroup(7, -1)
	assert.Zero(t, c.groups.len())
	assert.Zero(t, c.groupCount(7))
}
