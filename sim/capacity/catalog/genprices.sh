#!/bin/sh
# genprices.sh rebuilds ec2-prices.csv, the On-Demand Linux price of every
# catalog type in every region AWS's Karpenter provider ships prices for, from
# that repository's generated tables (AWS Pricing API data):
#
#   sh genprices.sh PRICING_DIR COMMIT > ec2-prices.csv
#
# PRICING_DIR holds pkg/providers/pricing of github.com/aws/karpenter-provider-aws
# at COMMIT (e.g. from `git show COMMIT:pkg/providers/pricing/FILE`). The
# files are read as text (one "type": price pair after another inside a region
# block); nothing of theirs is built or run. Only USD tables are read: the
# aws (commercial) and aws-us-gov partitions; aws-cn is priced in CNY.
set -eu
dir=$1
commit=$2
here=$(dirname "$0")
cat "$dir/zz_generated.pricing_aws.go" "$dir/zz_generated.pricing_aws_us_gov.go" | LC_ALL=C awk -v commit="$commit" -v catalog="$here/ec2-us-east-1.csv" '
BEGIN {
	while ((getline line < catalog) > 0) {
		if (line ~ /^#/ || line ~ /^instance_type,/) continue
		split(line, f, ","); known[f[1]] = 1
	}
}
/generated at/ { gen[++ngen] = $4 }
/^var / { next }
/^\t"[a-z0-9-]+": \{/ { gsub(/[\t":{ ]/, ""); region = $0; regions[++nr] = region; next }
region != "" && /^\t}/ { region = ""; next }
region != "" {
	n = split($0, parts, ",")
	for (i = 1; i <= n; i++) {
		if (parts[i] !~ /":/) continue
		split(parts[i], kv, ":")
		t = kv[1]; gsub(/[\t" ]/, "", t); p = kv[2]; gsub(/[ ]/, "", p)
		if (!(t in known)) continue
		sub(/0+$/, "", p); sub(/\.$/, "", p)
		price[region, t] = p; types[t] = 1
	}
}
END {
	printf "# EC2 On-Demand Linux USD per hour by region; empty: not offered there.\n"
	printf "# Source: aws/karpenter-provider-aws %s, pkg/providers/pricing/zz_generated.pricing_aws.go and\n", commit
	printf "# zz_generated.pricing_aws_us_gov.go (AWS Pricing API, generated %s and %s). Facts only.\n", gen[1], gen[2]
	printf "# Rebuilt by genprices.sh; types limited to ec2-us-east-1.csv (sizes come from there).\n"
	printf "instance_type"
	for (r = 1; r <= nr; r++) printf ",%s", regions[r]
	printf "\n"
	m = 0
	for (t in types) names[++m] = t
	# insertion sort: awk has no portable sort
	for (i = 2; i <= m; i++) { v = names[i]; j = i - 1; while (j > 0 && names[j] > v) { names[j+1] = names[j]; j-- } names[j+1] = v }
	for (i = 1; i <= m; i++) {
		printf "%s", names[i]
		for (r = 1; r <= nr; r++) printf ",%s", ((regions[r], names[i]) in price) ? price[regions[r], names[i]] : ""
		printf "\n"
	}
}'
