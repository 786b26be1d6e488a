"""PyTorch side of benchmarks/trainer/vs-torch.ts: the same nets, batch and optimiser as this service's side.

    python3 torch_side.py <threads> '<json spec from vs-torch.ts>'

Prints one line `RESULT {...}`: images/s over the timed steps, peak RSS, and a torch.profiler per-op breakdown
(self CPU time) of one step. Only a benchmark anchor: the service never imports torch.
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride, relu_first):
    layers = [nn.ReLU(inplace=False)] if relu_first else []
    layers += [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers)


class Conv7(nn.Module):
    def __init__(self, c, strides):
        super().__init__()
        layers, cin = [], 3
        for s in strides:
            layers += [nn.Conv2d(cin, c, 3, s, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
            cin = c
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


EDGE_SOURCE = [0, 0, 1, 0, 1, 2]  # NB201 edges e0..e5: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2


class Cell(nn.Module):
    def __init__(self, c, ops):
        super().__init__()
        self.ops = ops
        self.edges = nn.ModuleList()
        for op in ops:
            k = 3 if op == 'nor_conv_3x3' else 1 if op == 'nor_conv_1x1' else 0
            self.edges.append(conv_bn(c, c, k, 1, True) if k else nn.Identity())

    def forward(self, x):
        nodes, e = [x], 0
        for node in range(1, 4):
            terms = []
            for _ in range(node):
                op, src = self.ops[e], nodes[EDGE_SOURCE[e]]
                if op == 'skip_connect':
                    terms.append(src)
                elif op == 'avg_pool_3x3':
                    terms.append(F.avg_pool2d(src, 3, 1, 1, count_include_pad=False))
                elif op != 'none':
                    terms.append(self.edges[e](src))
                e += 1
            nodes.append(sum(terms) if terms else torch.zeros_like(x))
        return nodes[3]


class Reduction(nn.Module):
    """NB201's ResNetBasicblock with stride 2: ReLU-conv-BN x2, shortcut avgpool 2 + conv1x1."""

    def __init__(self, cin, cout):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, 2, True)
        self.b = conv_bn(cout, cout, 3, 1, True)
        self.short = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.short(x)


class Nb201(nn.Module):
    def __init__(self, c, n, ops):
        super().__init__()
        layers = [nn.Conv2d(3, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c)]
        for stage in range(3):
            if stage > 0:
                layers.append(Reduction(c, 2 * c))
                c *= 2
            layers += [Cell(c, ops) for _ in range(n)]
        layers += [nn.BatchNorm2d(c), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


class ScaleNetSupernet(nn.Module):
    """ScaleNet's super-supernet (src/methods/scalenet/training/super-supernet.ts) on one path: variables at the
    largest path's shapes (`supernet`), the step's path (`path`) uses their slices: first channels, centre k x k crop of
    the depthwise kernel, the first blocks of each stage. Swish (F.silu) everywhere but SE's gate (sigmoid)."""

    def __init__(self, supernet, path):
        super().__init__()
        self.w, self.bn = nn.ParameterDict(), nn.ModuleDict()
        self.path = path
        self.used = {}
        self._conv('stem', supernet['stem']['cout'], supernet['inChannels'], supernet['stem']['kernel'])
        for b in supernet['blocks']:
            n = b['name'].replace('.', '_')
            if b['expand'] != 1:
                self._conv(n + '_expand', b['hidden'], b['cin'], 1)
            self.w[n + '_dw'] = nn.Parameter(torch.randn(b['hidden'], 1, b['kernel'], b['kernel']) * 0.1)
            self.bn[n + '_dw'] = nn.BatchNorm2d(b['hidden'])
            # every stage of the preset has SE among its choices: SE variables in every block (reduce, expand; with bias)
            self.w[n + '_se_reduce_w'] = nn.Parameter(torch.randn(b['hidden'], b['se']) * 0.1)
            self.w[n + '_se_reduce_b'] = nn.Parameter(torch.zeros(b['se']))
            self.w[n + '_se_expand_w'] = nn.Parameter(torch.randn(b['se'], b['hidden']) * 0.1)
            self.w[n + '_se_expand_b'] = nn.Parameter(torch.zeros(b['hidden']))
            self._conv(n + '_project', b['cout'], b['hidden'], 1)
        self._conv('head', supernet['head']['cout'], supernet['head']['cin'], 1)
        self.w['fc_w'] = nn.Parameter(torch.randn(supernet['head']['cout'], supernet['classes']) * 0.1)
        self.w['fc_b'] = nn.Parameter(torch.zeros(supernet['classes']))

    def _conv(self, name, cout, cin, k):
        self.w[name] = nn.Parameter(torch.randn(cout, cin, k, k) * 0.1)
        self.bn[name] = nn.BatchNorm2d(cout)

    def _use(self, name, t):
        self.used[name] = t.numel()
        return t

    def _bn(self, x, name):
        bn, c = self.bn[name], x.shape[1]
        g, b = self._use(name + '.gamma', bn.weight[:c]), self._use(name + '.beta', bn.bias[:c])
        return F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c], g, b, True, 0.1, 1e-5)

    def _conv2d(self, x, name, cout, stride=1, k=None, groups=1):
        w = self.w[name]
        kk = w.shape[2]
        k = kk if k is None else k
        off = (kk - k) // 2
        cin = x.shape[1] if groups == 1 else 1
        return F.conv2d(x, self._use(name, w[:cout, :cin, off:off + k, off:off + k]), None, stride, (k - 1) // 2, 1, groups)

    def _lin(self, x, name, cin, cout):
        return x @ self._use(name + '_w', self.w[name + '_w'][:cin, :cout]) + self._use(name + '_b', self.w[name + '_b'][:cout])

    def forward(self, x):
        p = self.path
        h = F.silu(self._bn(self._conv2d(x, 'stem', p['stem']['cout'], p['stem']['stride']), 'stem'))
        self.ran = []
        for b in p['blocks']:
            n = b['name'].replace('.', '_')
            t = h
            cin, size = h.shape[1], h.shape[2]
            if b['expand'] != 1:
                t = F.silu(self._bn(self._conv2d(t, n + '_expand', b['hidden']), n + '_expand'))
            t = F.silu(self._bn(self._conv2d(t, n + '_dw', b['hidden'], b['stride'], b['kernel'], b['hidden']), n + '_dw'))
            if b['se']:
                s = F.silu(self._lin(t.mean((2, 3)), n + '_se_reduce', b['hidden'], b['se']))
                se = s.shape[1]
                s = torch.sigmoid(self._lin(s, n + '_se_expand', b['se'], b['hidden']))
                t = t * s[:, :, None, None]
            hidden, kernel, se = t.shape[1], self.used.get(n + '_dw', 0), se if b['se'] else 0
            t = self._bn(self._conv2d(t, n + '_project', b['cout']), n + '_project')
            h = h + t if b['residual'] else t
            # what ran, from the tensors' shapes (checked against this service's block list)
            self.ran.append({'name': b['name'], 'cin': cin, 'hidden': hidden, 'expand': hidden // cin, 'kernel': round((kernel / hidden) ** 0.5),
                             'stride': size // h.shape[2], 'se': se, 'cout': h.shape[1], 'residual': b['residual'] and t.shape == h.shape})
        h = F.silu(self._bn(self._conv2d(h, 'head', p['head']['cout']), 'head'))
        return self._lin(h.mean((2, 3)), 'fc', p['head']['cout'], p['classes'])

    def describe(self):
        """The blocks the last forward ran (from tensor shapes), in the JSON form of nets.ts."""
        return self.ran


def conv_split(prof, total):
    """Self time of the convolution ops, depthwise (a [C, 1, k, k] weight, k > 1) apart from dense, in ms and share."""
    out = {}
    for e in prof.key_averages(group_by_input_shape=True):
        if 'conv' not in e.key or e.self_cpu_time_total <= 0:
            continue
        dw = any(len(s) == 4 and s[1] == 1 and s[2] > 1 for s in (e.input_shapes or []))
        k = ('depthwise ' if dw else 'dense ') + e.key
        out[k] = out.get(k, 0) + e.self_cpu_time_total / 1000
    return {k: {'ms': v, 'share': v * 1000 / total} for k, v in sorted(out.items(), key=lambda kv: -kv[1])}


def build(spec):
    if spec['net'] == 'conv7':
        return Conv7(spec['channels'], spec['strides'])
    if spec['net'] == 'nb201':
        return Nb201(spec['channels'], spec['cellsPerStage'], spec['ops'])
    return ScaleNetSupernet(spec['supernet'], spec['path'])


def main():
    threads, spec = int(sys.argv[1]), json.loads(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = build(spec).train()
    total_params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.SGD(net.parameters(), lr=spec['lr'], momentum=0.9, weight_decay=5e-4, nesterov=True)
    n = spec['batch']
    x = torch.rand(n, 3, 32, 32) * 2 - 1
    y = torch.randint(0, 10, (n,))
    counter = [0]

    def step():
        counter[0] += 1
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(spec['warmup']):
        step()
    times, loss = [], float('nan')
    for _ in range(spec['steps']):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=spec['net'] == 'mbconv') as prof:
        step()
    profiled_ms = (time.perf_counter() - t0) * 1000
    rows = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
    total = sum(e.self_cpu_time_total for e in rows) or 1
    rows.sort(key=lambda e: -e.self_cpu_time_total)
    kernels = [{'kernel': e.key, 'calls': e.count, 'ms': e.self_cpu_time_total / 1000, 'share': e.self_cpu_time_total / total} for e in rows[:40]]
    result = {
        'side': 'PyTorch', 'backend': f'torch {torch.__version__} CPU ({torch.backends.mkldnn.is_available() and "oneDNN" or "no oneDNN"})',
        'threads': threads, 'batch': n, 'steps': len(times), 'secondsPerStep': times,
        'imagesPerSec': n * len(times) / sum(times),
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'kernels': kernels, 'profiledStepMs': profiled_ms, 'loss': loss,
        'params': {'total': total_params,
                   'used': sum(net.used.values()) if spec['net'] == 'mbconv' else total_params},
    }
    if spec['net'] == 'mbconv':
        result['net'] = net.describe()
        result['convSplit'] = conv_split(prof, total)
    print('RESULT ' + json.dumps(result))


if __name__ == '__main__':
    main()
