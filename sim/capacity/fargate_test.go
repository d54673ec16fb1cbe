package capacity

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFargateSizeTable(t *testing.T) {
	tests := []struct {
		cpu, mem int
		ok       bool
	}{
		{256, 512, true}, {256, 2048, true}, {256, 3072, false},
		{512, 1024, true}, {512, 4096, true}, {512, 5120, false},
		{1024, 2048, true}, {1024, 8192, true}, {1024, 1024, false},
		{2048, 16384, true}, {4096, 30720, true}, {4096, 31744, false},
		{8192, 16384, true}, {8192, 20480, true}, {8192, 18432, false}, {8192, 61440, true},
		{16384, 32768, true}, {16384, 40960, true}, {16384, 36864, false}, {16384, 122880, true},
		{768, 2048, false},
	}
	for _, tc := range tests {
		err := CheckFargateSize(tc.cpu, tc.mem)
		assert.Equal(t, tc.ok, err == nil, "cpu %d memory %d: %v", tc.cpu, tc.mem, err)
	}
	assert.EqualError(t, CheckFargateSize(768, 2048), "Fargate task cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384, not 768")
	assert.EqualError(t, CheckFargateSize(256, 4096), "Fargate task with cpu 256 accepts memory 512, 1024, 2048 MiB, not 4096")
}
