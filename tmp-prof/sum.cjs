const fs=require("fs");const p=JSON.parse(fs.readFileSync(process.argv[2]));
const from=Number(process.argv[3]||0), to=Number(process.argv[4]||1e9);
const idx=new Map(p.nodes.map((n)=>[n.id,n]));const parent=new Map();for(const n of p.nodes)for(const c of n.children||[])parent.set(c,n.id);
const self=new Map(), total=new Map();const dt=p.timeDeltas;let t=p.startTime;
const name=n=>n.callFrame.functionName+" "+n.callFrame.url.split("/").pop()+":"+n.callFrame.lineNumber;
for(let i=0;i<p.samples.length;i++){t+=dt[i];const ms=(t-p.startTime)/1000; if(ms<from||ms>to) continue; let id=p.samples[i];const n=idx.get(id);self.set(name(n),(self.get(name(n))||0)+dt[i]/1000);const seen=new Set();while(id!==undefined){const k=name(idx.get(id));if(!seen.has(k)){seen.add(k);total.set(k,(total.get(k)||0)+dt[i]/1000);}id=parent.get(id);}}
console.log("SELF");console.log([...self].sort((a,b)=>b[1]-a[1]).slice(0,20).map(([k,v])=>v.toFixed(0).padStart(6)+" "+k).join("\n"));
console.log("TOTAL");console.log([...total].sort((a,b)=>b[1]-a[1]).slice(0,70).map(([k,v])=>v.toFixed(0).padStart(6)+" "+k).join("\n"));
