import gzip, json, sys
from policy import evaluate
from policy.rules import RULES_BY_ID
from tools.harness import Resource
rules=[RULES_BY_ID[i] for i in ("backup-coverage","scrape-coverage","alert-routing","cost-attribution")]
if sys.argv[1]=="old":
    d=json.load(gzip.open('tests/data/old_wiring_prod.json.gz'))
    graph=[Resource(**{**r, "secret_paths": set(r["secret_paths"])}) for r in d["resources"]]; env="prod"
else:
    from tools.harness import run_stack
    graph=run_stack(sys.argv[1]); env=sys.argv[1]
for f in evaluate(graph, env, rules=rules):
    print(f.line()[:400])
