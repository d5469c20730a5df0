import json,sys,itertools
from pathlib import Path
from setu.config import load_settings
from setu.index import build, open_index
from setu.embed import embedder_for
from setu import evaluate, answer as A
cw=int(sys.argv[1]); ov=int(sys.argv[2])
s=load_settings(index=f"/tmp/idx{cw}_{ov}", chunk_words=cw, chunk_overlap=ov)
e=embedder_for(s.model); build(s,embedder=e); ix=open_index(s.index)
items=evaluate.read_items(Path("tests/data/qa.jsonl"))
fitems=evaluate.read_items(Path("tests/data/followups.jsonl"))
res=[]
for wl,wp,wc,keep,P in itertools.product([0.5,0.7,1.0],[0.25,0.4,0.6],[0,0.3,0.5],[0.1,0.2],[6]):
    A.WEIGHT_LEXICAL=wl; A.WEIGHT_PASSAGE=wp; A.WEIGHT_CONTEXT=wc; A.KEEP_WITHIN=keep; A.PASSAGES_CONSIDERED=P
    sm,rows=evaluate.run(items,ix,e)
    res.append((sm["answer_accuracy"]+sm["citation_hit_rate"], sm["answer_accuracy"],sm["citation_hit_rate"],sm["abstained_on_answerable"],sm["off_topic_abstained"],sm["unanswerable_abstained"],(wl,wp,wc,keep,P)))
res.sort(key=lambda r:-r[0])
for r in res[:8]: print(r)
import numpy as np; print("mean", np.mean([r[1] for r in res]), np.mean([r[2] for r in res]))
