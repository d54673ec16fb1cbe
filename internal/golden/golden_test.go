package golden

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiffShowsOnlyTheLinesThatDiffer(t *testing.T) {
	d := Diff("a\nb\nc\nd\n", "a\nB\nc\nd\n")
	assert.Equal(t, "-    2  b\n+    2  B\n", d)
}

func TestDiffOfAnAddedTailLine(t *testing.T) {
	d := Diff("a\nb", "a\nb\nc")
	assert.Equal(t, "+    3  c\n", d)
}
