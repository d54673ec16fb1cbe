#!/bin/sh
# genprices.sh rebuilds ec2-prices.csv, the On-Demand Linux price of every
# catalog type in every region AWS's Karpenter provider ships prices for, from
# that repository's generated tables (AWS Pricing API data), and in every
# other commercial region from the AWS Pricing Calculator's On-Demand Linux
# feed as committed in apache/libcloud's libcloud/data/pricing.json:
#
#   sh genprices.sh PRICING_DIR COMMIT [LIBCLOUD_PRICING_JSON LIBCLOUD_COMMIT] > ec2-prices.csv
#
# e.g. COMMIT "1d927085 (2026-08-21)", LIBCLOUD_COMMIT "ec6a28bd (2022-05-22)".
# The libcloud file is read as text too: its "ec2_linux" block, one
# "type": { "region": price, ... } object after another, written by
# libcloud's contrib/scrape-ec2-prices.py from
# calculator.aws/pricing/1.0/ec2/region/REGION/ondemand/linux/index.json.
# Its columns are the regions Karpenter's tables lack (Karpenter's figures are
# newer); a price of 0 there is no price.
#
# PRICING_DIR holds pkg/providers/pricing of github.com/aws/karpenter-provider-aws
# at COMMIT (e.g. from `git show COMMIT:pkg/providers/pricing/FILE`). The
# files are read as text (one "type": price pair after another inside a region
# block); nothing of theirs is built or run. Only USD tables are read: the
# aws (commercial) and aws-us-gov partitions; aws-cn is priced in CNY.
set -eu
dir=$1
commit=$2
lcfile=${3:-}
lccommit=${4:-}
here=$(dirname "$0")
cat "$dir/zz_generated.pricing_aws.go" "$dir/zz_generated.pricing_aws_us_gov.go" | LC_ALL=C awk -v commit="$commit" -v catalog="$here/ec2-us-east-1.csv" -v lcfile="$lcfile" -v lccommit="$lccommit" '
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
	nk = nr
	if (lcfile != "") {
		for (r = 1; r <= nr; r++) karp[regions[r]] = 1
		inblock = 0; t = ""
		while ((getline line < lcfile) > 0) {
			if (line ~ /^        "ec2_linux": \{/) { inblock = 1; continue }
			if (!inblock) continue
			if (line ~ /^        \}/) break
			if (line ~ /^            "[^"]+": \{/) { t = line; gsub(/[ "{:]/, "", t); continue }
			if (line !~ /^                "[a-z0-9-]+": /) continue
			split(line, kv, ":"); reg = kv[1]; gsub(/[ "]/, "", reg); p = kv[2]; gsub(/[ ,]/, "", p)
			if (reg in karp || !(t in known) || p + 0 == 0) continue
			if (!(reg in lcreg)) { lcreg[reg] = 1; lcregions[++nl] = reg }
			price[reg, t] = p; types[t] = 1
		}
		for (i = 2; i <= nl; i++) { v = lcregions[i]; j = i - 1; while (j > 0 && lcregions[j] > v) { lcregions[j+1] = lcregions[j]; j-- } lcregions[j+1] = v }
		for (i = 1; i <= nl; i++) regions[++nr] = lcregions[i]
	}
	printf "# EC2 On-Demand Linux USD per hour by region; empty: not offered there.\n"
	printf "# Source: aws/karpenter-provider-aws %s, pkg/providers/pricing/zz_generated.pricing_aws.go and\n", commit
	printf "# zz_generated.pricing_aws_us_gov.go (AWS Pricing API, generated %s and %s). Facts only.\n", gen[1], gen[2]
	if (nl > 0) {
		printf "# Columns %s to %s: the AWS Pricing Calculator On-Demand Linux feed as committed in\n", regions[nk+1], regions[nr]
		printf "# apache/libcloud %s, libcloud/data/pricing.json (ec2_linux). Facts only.\n", lccommit
	}
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
