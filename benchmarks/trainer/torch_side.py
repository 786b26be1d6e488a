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


class MbconvSupernet(nn.Module):
    """Weights at the largest configuration; a step's sub-network uses first channels / centre kernel crops."""

    def __init__(self, space, max_plans):
        super().__init__()
        self.space = space
        self.w, self.bn = nn.ParameterDict(), nn.ModuleDict()
        stem = space['stemWidth']
        self._conv('stem', stem, space['inputShape'][2], 3)
        last = stem
        for i, stage in enumerate(max_plans):
            for j, p in enumerate(stage):
                name = f's{i}_b{j}'
                self._conv(name + '_expand', p['hidden'], p['cin'], 1)
                self.w[name + '_dw'] = nn.Parameter(torch.randn(p['hidden'], 1, p['kernel'], p['kernel']) * 0.1)
                self.bn[name + '_dw'] = nn.BatchNorm2d(p['hidden'])
                self._conv(name + '_project', p['cout'], p['hidden'], 1)
                last = p['cout']
        self._conv('head', space['headWidth'], last, 1)
        self.fc = nn.Linear(space['headWidth'], space['numClasses'])
        self.plans = max_plans

    def _conv(self, name, cout, cin, k):
        self.w[name] = nn.Parameter(torch.randn(cout, cin, k, k) * 0.1)
        self.bn[name] = nn.BatchNorm2d(cout)

    def _bn(self, x, name):
        bn, c = self.bn[name], x.shape[1]
        return F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c], bn.weight[:c], bn.bias[:c], True, 0.1, 1e-5)

    def _conv2d(self, x, name, cout, stride=1, k=None, groups=1):
        w = self.w[name]
        kk = w.shape[2]
        k = kk if k is None else k
        off = (kk - k) // 2
        cin = x.shape[1] if groups == 1 else 1
        return F.conv2d(x, w[:cout, :cin, off:off + k, off:off + k], None, stride, (k - 1) // 2, 1, groups)

    def forward(self, x):
        h = F.relu6(self._bn(self._conv2d(x, 'stem', self.space['stemWidth'], self.space['stemStride']), 'stem'))
        for i, stage in enumerate(self.plans):
            for j, p in enumerate(stage):
                name = f's{i}_b{j}'
                t = F.relu6(self._bn(self._conv2d(h, name + '_expand', p['hidden']), name + '_expand'))
                t = F.relu6(self._bn(self._conv2d(t, name + '_dw', p['hidden'], p['stride'], p['kernel'], p['hidden']), name + '_dw'))
                t = self._bn(self._conv2d(t, name + '_project', p['cout']), name + '_project')
                h = h + t if p['residual'] else t
        h = F.relu6(self._bn(self._conv2d(h, 'head', self.space['headWidth']), 'head'))
        return self.fc(h.mean((2, 3)))


def build(spec):
    if spec['net'] == 'conv7':
        return Conv7(spec['channels'], spec['strides'])
    if spec['net'] == 'nb201':
        return Nb201(spec['channels'], spec['cellsPerStage'], spec['ops'])
    return MbconvSupernet(spec['space'], spec['maxPlans'])


def main():
    threads, spec = int(sys.argv[1]), json.loads(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = build(spec).train()
    opt = torch.optim.SGD(net.parameters(), lr=spec['lr'], momentum=0.9, weight_decay=5e-4, nesterov=True)
    n = spec['batch']
    x = torch.rand(n, 3, 32, 32) * 2 - 1
    y = torch.randint(0, 10, (n,))
    counter = [0]

    def step():
        if spec['net'] == 'mbconv':
            net.plans = spec['plans'][counter[0] % len(spec['plans'])]
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
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
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
    }
    print('RESULT ' + json.dumps(result))


if __name__ == '__main__':
    main()
