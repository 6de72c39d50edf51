# Zone files and query mixes for the DNS benchmarks (sourced).

# The small static zone: SOA, 2 NS, apex A/MX/TXT, www (2 A), mail (A+AAAA), v6 AAAA,
# api (2 A), two CNAMEs, a TXT and a wildcard. TEST-NET/documentation addresses only.
gen_example_zone() { # serial
  cat <<EOF
\$ORIGIN example.test.
\$TTL 300
@       IN SOA ns1.example.test. hostmaster.example.test. ${1:-2025010101} 3600 900 604800 300
@       IN NS   ns1.example.test.
@       IN NS   ns2.example.test.
@       IN A    192.0.2.10
@       IN MX   10 mail.example.test.
@       IN TXT  "v=spf1 -all"
ns1     IN A    192.0.2.53
ns2     IN A    192.0.2.54
www     IN A    192.0.2.1
www     IN A    192.0.2.2
mail    IN A    192.0.2.25
mail    IN AAAA 2001:db8::25
v6      IN AAAA 2001:db8::6
api     IN A    192.0.2.30
api     IN A    192.0.2.31
ftp     IN CNAME www.example.test.
app     IN CNAME api.example.test.
info    IN TXT  "hello from example.test"
*.wild  IN A    192.0.2.99
EOF
}

# 200 queries in a fixed shuffled order: 60% A on existing names (apex, wildcard included),
# 5% A through a CNAME, 5% CNAME, 10% AAAA, 15% NXDOMAIN, 5% MX/TXT.
gen_example_mix() {
  local i
  {
    for i in $(seq 1 20); do
      printf '%s A\n' www.example.test mail.example.test api.example.test example.test ns1.example.test "h$i.wild.example.test"
    done
    for i in $(seq 1 10); do
      echo "app.example.test A"; echo "ftp.example.test CNAME"
      echo "mail.example.test AAAA"; echo "v6.example.test AAAA"
    done
    for i in $(seq 1 30); do echo "nx$i.example.test A"; done
    for i in $(seq 1 5); do echo "example.test MX"; echo "info.example.test TXT"; done
  } | awk 'BEGIN { srand(7) } { printf "%.8f\t%s\n", rand(), $0 }' | sort -k1,1 | cut -f2-
}

# A large zone "big.test" with N (default 1,000,000) records besides SOA and NS:
# owner hK for K = 0..; per ten names: 7 A, 1 AAAA, 1 CNAME (to the previous name), 1 TXT.
# MIX=a makes every record an A.
gen_big_zone() { # count serial
  local n="${1:-1000000}" serial="${2:-2025010101}"
  awk -v n="$n" -v serial="$serial" -v mix="${MIX:-mixed}" 'BEGIN {
    print "$ORIGIN big.test."
    print "$TTL 3600"
    print "@ IN SOA ns1.big.test. hostmaster.big.test. " serial " 3600 900 604800 300"
    print "@ IN NS ns1.big.test."
    print "@ IN NS ns2.big.test."
    print "ns1 IN A 192.0.2.53"
    print "ns2 IN A 192.0.2.54"
    for (k = 0; k < n; k++) {
      t = (mix == "a") ? 0 : k % 10
      if (t <= 6)      printf "h%d IN A 198.51.%d.%d\n", k, int(k / 250) % 250, k % 250 + 1
      else if (t == 7) printf "h%d IN AAAA 2001:db8:%x::%x\n", k, int(k / 65536), k % 65536
      else if (t == 8) printf "h%d IN CNAME h%d\n", k, k - 1
      else             printf "h%d IN TXT \"record %d of the big zone\"\n", k, k
    }
  }'
}

# The same zone with `www` as a traffic-managed name, in each server's syntax (weights 1:3,
# no health checks). VARIANT: static (www = 2 A, as gen_example_zone) | geodns (POOL
# policy=weighted + 2 MEMBERs, with the $REGION the members need) | gdnsd (DYNA
# weighted!wwwres; the weights are in gdnsd's config, see gdnsd_setup) | pdns (LUA
# pickwrandom).
gen_weighted_zone() { # variant [serial]
  local www
  case "$1" in
    static) gen_example_zone "${2:-}"; return;;
    geodns) www="\$REGION bench continents=NA
www     300 POOL   A  policy=weighted
www     300 MEMBER bench 192.0.2.1 weight=1
www     300 MEMBER bench 192.0.2.2 weight=3";;
    gdnsd)  www="www     300 DYNA weighted!wwwres";;
    pdns)   www="www     300 IN LUA A \"pickwrandom({{1,'192.0.2.1'},{3,'192.0.2.2'}})\"";;
    *) echo "gen_weighted_zone: unknown variant $1" >&2; return 1;;
  esac
  gen_example_zone "${2:-}" | awk -v www="$www" '
    /^www[ \t]/ { if (!done) print www; done = 1; next } { print }'
}

# 200 queries in a fixed shuffled order where www A is the busiest name (60%):
# 120 www A; 25 A on other existing names (apex, mail, api, ns1, wildcard); 5 A through a
# CNAME; 5 CNAME; 10 AAAA; 25 NXDOMAIN (12.5%); 10 MX/TXT.
gen_weighted_mix() {
  local i
  {
    for i in $(seq 1 120); do echo "www.example.test A"; done
    for i in $(seq 1 5); do
      printf '%s A\n' mail.example.test api.example.test example.test ns1.example.test "h$i.wild.example.test"
      echo "app.example.test A"; echo "ftp.example.test CNAME"
      echo "mail.example.test AAAA"; echo "v6.example.test AAAA"
      echo "example.test MX"; echo "info.example.test TXT"
    done
    for i in $(seq 1 25); do echo "nx$i.example.test A"; done
  } | awk 'BEGIN { srand(11) } { printf "%.8f\t%s\n", rand(), $0 }' | sort -k1,1 | cut -f2-
}
