#!/usr/bin/env bash
# Validates the deployment examples as far as this machine allows, and says what it skipped and why.
#   bash deploy/validate.sh          (exit 1 when any check fails; skipped checks do not fail)
# Checks: YAML syntax (python3 + PyYAML) and style (yamllint, relaxed), Kubernetes manifests
# (kubectl create --dry-run=client --validate=false; the Knative NetworkPolicy's selector), systemd units (systemd-analyze verify), the compose file
# (docker compose config), Prometheus rules (promtool check rules), the Grafana dashboard (JSON + the metric
# names it uses exist in the code).
set -uo pipefail
cd "$(dirname "$0")"
failed=0
ran=()
skipped=()
pass() { ran+=("$1"); echo "ok      $1"; }
fail() { failed=1; echo "FAILED  $1"; [ -n "${2:-}" ] && sed 's/^/        /' <<<"$2"; }
skip() { skipped+=("$1: $2"); echo "skipped $1: $2"; }

yaml_files=$(find . -name '*.yaml' -o -name '*.yml' | sort)

# 1. YAML syntax, every document of every file
if python3 -c 'import yaml' 2>/dev/null; then
  for f in $yaml_files; do
    if out=$(python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$f" 2>&1); then
      pass "yaml syntax $f"
    else
      fail "yaml syntax $f" "$out"
    fi
  done
else
  skip "yaml syntax" "python3 PyYAML not installed (apt-get install python3-yaml)"
fi

# 2. YAML style
if command -v yamllint >/dev/null; then
  conf='{extends: default, rules: {line-length: {max: 130}, document-start: disable, truthy: {check-keys: false},
         comments: {min-spaces-from-content: 1}, braces: {max-spaces-inside: 1}}}'
  if out=$(yamllint -s -d "$conf" $yaml_files 2>&1); then pass "yamllint"; else fail "yamllint" "$out"; fi
else
  skip "yamllint" "not installed (apt-get install yamllint)"
fi

# 3. Kubernetes and Knative manifests. kubectl maps kinds through an API server even with --dry-run=client;
#    without one (as on CI) a structural check of every document runs instead, and the kubectl step is reported
#    as skipped.
structural() { # FILE: apiVersion/kind/name, containers with images, probes on /q/health/*, network policies
  python3 - "$1" <<'PY'
import sys, yaml
known = {"v1": {"ConfigMap", "Service", "Secret"}, "apps/v1": {"Deployment"}, "batch/v1": {"CronJob"},
         "serving.knative.dev/v1": {"Service"}, "eventing.knative.dev/v1": {"Trigger"},
         "networking.k8s.io/v1": {"NetworkPolicy"}}
def pod_spec(d):
    k = d["kind"]
    if k == "Deployment": return d["spec"]["template"]["spec"]
    if k == "CronJob": return d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if k == "Service" and d["apiVersion"].startswith("serving."): return d["spec"]["template"]["spec"]
    return None
for d in yaml.safe_load_all(open(sys.argv[1])):
    assert d["kind"] in known.get(d["apiVersion"], ()), f'unknown {d["apiVersion"]} {d["kind"]}'
    assert d["metadata"]["name"], "metadata.name"
    spec = pod_spec(d)
    if spec is not None:
        volumes = {v["name"] for v in spec.get("volumes", [])}
        for c in spec["containers"]:
            assert c["image"], "container image"
            for m in c.get("volumeMounts", []):
                assert m["name"] in volumes, "volumeMount without volume: " + m["name"]
            for probe in ("livenessProbe", "readinessProbe"):
                if probe in c:
                    assert c[probe]["httpGet"]["path"].startswith("/q/health/"), probe
    if d["kind"] == "Trigger":
        assert d["spec"]["subscriber"]["ref"]["name"], "trigger subscriber"
    if d["kind"] == "NetworkPolicy":
        assert d["spec"]["podSelector"]["matchLabels"], "a policy for named pods, not the whole namespace"
        assert "Ingress" in d["spec"]["policyTypes"], "policyTypes: Ingress"
        for rule in d["spec"]["ingress"]:
            # a rule without `from` (or with an empty selector) admits every source: the opposite of the intent
            assert rule.get("from"), "ingress rule without from"
            for peer in rule["from"]:
                assert any(peer.get(k) for k in ("namespaceSelector", "podSelector", "ipBlock")), "empty peer"
PY
}
if command -v kubectl >/dev/null; then
  for f in k8s/*.yaml knative/*.yaml; do
    if out=$(kubectl create --dry-run=client --validate=false -o name -f "$f" 2>&1); then
      pass "kubectl dry-run $f"
    elif grep -q -e "couldn't get current server API group list" -e "no matches for kind" <<<"$out"; then
      skip "kubectl dry-run $f" "kubectl needs an API server to map kinds, none reachable here"
      if out=$(structural "$f" 2>&1); then pass "manifest structure $f"; else fail "manifest structure $f" "$out"; fi
    else
      fail "kubectl dry-run $f" "$out"
    fi
  done
else
  skip "kubectl dry-run" "kubectl not installed"
  for f in k8s/*.yaml knative/*.yaml; do
    if out=$(structural "$f" 2>&1); then pass "manifest structure $f"; else fail "manifest structure $f" "$out"; fi
  done
fi

# 3b. The Knative NetworkPolicy selects the pods of the Knative Service it protects (a renamed service would
#     otherwise leave its pods open while the policy selects nothing)
if out=$(python3 - 2>&1 <<'PY'
import yaml
ksvc = [d for d in yaml.safe_load_all(open("knative/service.yaml")) if d["kind"] == "Service"][0]["metadata"]["name"]
policy = next(yaml.safe_load_all(open("knative/networkpolicy.yaml")))
selected = policy["spec"]["podSelector"]["matchLabels"].get("serving.knative.dev/service")
assert selected == ksvc, f"networkpolicy selects serving.knative.dev/service={selected}, the Knative Service is {ksvc}"
PY
); then pass "knative networkpolicy selects the service's pods"; else fail "knative networkpolicy selector" "$out"; fi

# 4. systemd units: verify resolves ExecStart binaries, so give it a stand-in tree when /opt/firesafe is absent
if command -v systemd-analyze >/dev/null; then
  if out=$(systemd-analyze verify systemd/firesafe.service systemd/firesafe.timer systemd/firesafe-serve.service 2>&1 \
        | grep -v -e "Failed to connect to bus" -e "Cannot find unit" -e "/opt/firesafe" ); [ -z "$out" ]; then
    pass "systemd-analyze verify systemd/*"
  else
    fail "systemd-analyze verify systemd/*" "$out"
  fi
else
  skip "systemd units" "systemd-analyze not installed"
fi

# the JVM exits with 143 after a SIGTERM (FunctionHostIT checks it), which systemd counts as a failure unless told:
# without this every `systemctl stop` would leave the host unit "failed" and trip alerts on failed units
if grep -qx "SuccessExitStatus=143" systemd/firesafe-serve.service; then
  pass "systemd/firesafe-serve.service: a stop (exit 143) is a clean exit"
else
  fail "systemd/firesafe-serve.service: a stop (exit 143) is a clean exit" "add SuccessExitStatus=143"
fi

# 5. compose
if docker compose version >/dev/null 2>&1; then
  if out=$(cd compose && mkdir -p secrets && docker compose -f docker-compose.yml config -q 2>&1); then
    pass "docker compose config"
  else
    fail "docker compose config" "$out"
  fi
elif command -v docker-compose >/dev/null; then
  if out=$(cd compose && docker-compose -f docker-compose.yml config -q 2>&1); then pass "docker-compose config";
  else fail "docker-compose config" "$out"; fi
else
  skip "compose file" "docker compose not installed (the YAML checks above still ran)"
fi

# 6. Prometheus rules
if command -v promtool >/dev/null; then
  if out=$(promtool check rules prometheus/alerts.yml 2>&1); then pass "promtool check rules"; else fail "promtool" "$out"; fi
else
  skip "promtool check rules" "promtool not installed (Debian package prometheus)"
fi

# 7. Grafana dashboard and alert rules use only metric names Firesafe exports
if out=$(python3 - 2>&1 <<'PY'
import json, re, pathlib
src = "\n".join(p.read_text() for p in pathlib.Path("../src/main/java/dev/firesafe/host/metrics").glob("*.java"))
# Micrometer dots become underscores; counters gain _total, timers _seconds_*, base units a suffix
exported = set()
for name, unit in re.findall(r'"(firesafe(?:\.[a-z]+)+)"\)?(?:\s*\.baseUnit\("(\w+)"\))?', src):
    base = name.replace(".", "_")
    exported |= {base, base + "_total", base + "_" + (unit or "") + "_total", base + "_seconds_count",
                 base + "_seconds_sum", base + "_seconds_max"}
dash = json.load(open("grafana/firesafe.json"))
used = set(re.findall(r"firesafe_[a-z_]+", json.dumps(dash) + open("prometheus/alerts.yml").read()))
missing = sorted(u for u in used if u not in exported)
assert not missing, "not exported by Firesafe: " + ", ".join(missing)
print(len(used), "metric names checked")
PY
); then pass "dashboard + alerts metric names ($out)"; else fail "dashboard + alerts metric names" "$out"; fi

echo
echo "ran ${#ran[@]} check(s), skipped ${#skipped[@]}"
for s in "${skipped[@]}"; do echo "  skipped: $s"; done
exit $failed
