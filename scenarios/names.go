package scenarios

import (
	"strings"
	"unicode"
)

// nameRule is AWS's rule for one kind of name: what it says, and the test.
type nameRule struct {
	want string
	ok   func(string) bool
}

// AWS's name rules, from each create call's API reference.
var (
	// CreateCluster clusterName, CreateService serviceName,
	// RegisterTaskDefinition family, ContainerDefinition name: "Up to 255
	// letters (uppercase and lowercase), numbers, underscores, and hyphens
	// are allowed." fleetsim holds its batch jobs to it too: a job's name
	// is a column of timeseries.csv, where a comma or a newline would break
	// the file.
	resourceName = nameRule{"a name of 1 to 255 letters, digits, hyphens and underscores", validName}
	// CreateCapacityProvider name: the same characters, up to 255, and "The
	// name can't be prefixed with "aws", "ecs", or "fargate"" (checked
	// where the name is read, with its own message).
	providerName = resourceName
	// CreateAutoScalingGroup AutoScalingGroupName: 1 to 255 characters;
	// "The name can contain any ASCII character 33 to 126 including most
	// punctuation characters, digits, and upper and lowercased letters. You
	// cannot use a colon (:) in the name."
	groupName = nameRule{"a name of 1 to 255 ASCII characters from ! to ~, without a colon", func(s string) bool {
		return len(s) >= 1 && len(s) <= 255 && !strings.ContainsFunc(s, func(r rune) bool { return r < 33 || r > 126 || r == ':' })
	}}
	// PutScheduledAction ScheduledActionName: 1 to 256 characters, no
	// control characters, none of : / |, no space at either end.
	scheduledName = nameRule{"a name of 1 to 256 characters without control characters, :, / or |, nor a space at either end", func(s string) bool {
		return len(s) >= 1 && len(s) <= 256 && s == strings.TrimSpace(s) &&
			!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == ':' || r == '/' || r == '|' })
	}}
	// PutScalingPolicy PolicyName: 1 to 256 printable characters.
	policyName = nameRule{"a name of 1 to 256 printable characters", func(s string) bool {
		return len(s) >= 1 && len(s) <= 256 && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
	}}
	// CreateTargetGroup Name: "can have a maximum of 32 characters, must
	// contain only alphanumeric characters or hyphens, and must not begin
	// or end with a hyphen."
	targetGroupName = nameRule{"a name of 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen", func(s string) bool {
		return len(s) >= 1 && len(s) <= 32 && !strings.HasPrefix(s, "-") && !strings.HasSuffix(s, "-") &&
			!strings.ContainsFunc(s, func(r rune) bool { return !isASCIIAlnum(r) && r != '-' })
	}}
	// ContainerDefinition image: "Up to 255 letters (uppercase and
	// lowercase), numbers, hyphens, underscores, colons, periods, forward
	// slashes, and number signs are allowed" (and @ for a digest,
	// repository@sha256:...).
	imageName = nameRule{"an image of 1 to 255 letters, digits and - _ : . / # @", func(s string) bool {
		return len(s) >= 1 && len(s) <= 255 && !strings.ContainsFunc(s, func(r rune) bool { return !isASCIIAlnum(r) && !strings.ContainsRune("-_:./#@", r) })
	}}
	// PutAttributes Attribute name: "Up to 128 letters (uppercase and
	// lowercase), numbers, hyphens, underscores, forward slashes, back
	// slashes, or periods are allowed."
	attributeName = nameRule{"an attribute name of 1 to 128 letters, digits and - _ / \\ .", func(s string) bool {
		return len(s) >= 1 && len(s) <= 128 && !strings.ContainsFunc(s, func(r rune) bool { return !isASCIIAlnum(r) && !strings.ContainsRune(`-_/\.`, r) })
	}}
	// Attribute value: "Up to 128 letters (uppercase and lowercase),
	// numbers, hyphens, underscores, periods, at signs (@), forward slashes,
	// back slashes, colons, or spaces are allowed. The value can't start or
	// end with a space."
	attributeValue = nameRule{"an attribute value of 1 to 128 letters, digits, spaces and - _ . @ / \\ :, not starting or ending with a space", func(s string) bool {
		return len(s) >= 1 && len(s) <= 128 && s == strings.Trim(s, " ") &&
			!strings.ContainsFunc(s, func(r rune) bool { return !isASCIIAlnum(r) && !strings.ContainsRune(`-_.@/\: `, r) })
	}}
)

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// checkName reports name at path when it breaks rule; an empty name is the
// caller's to report (each says what the name is for).
func (v *validator) checkName(path []string, rule nameRule, name string) bool {
	if name == "" || rule.ok(name) {
		return true
	}
	v.bad(path, rule.want, quoteShort(name))
	return false
}
