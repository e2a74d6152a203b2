#!/usr/bin/env python3
"""PyTorch baseline for scripts/gpu-check.sh: the CNN of examples/fashion-mnist-cnn.yaml, trained the way
MlOps.Training trains it, on the same IDX files; prints one JSON object (seconds per epoch, accuracy, device).

The layers are hard-coded to match the example spec (conv 32 3x3 pad 1, batch norm, ReLU, max pool 2, conv 64 3x3
pad 1, batch norm, ReLU, max pool 2, flatten, linear 128, ReLU, dropout 0.3, linear 10); change both together.
Like MlOps.Training: inputs (byte / 255 - 0.2860) / 0.3530, Adam, cosine learning rate per epoch
(lr * 0.5 * (1 + cos(pi * (epoch - 1) / epochs))), a shuffled pass per epoch, and each epoch's time includes the
test-set evaluation after it.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import torch
from torch import nn

MEAN, STD = 0.2860, 0.3530


def read_idx(directory, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            magic, = struct.unpack(">I", data[:4])
            dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
            return torch.frombuffer(bytearray(data[4 + 4 * len(dims):]), dtype=torch.uint8).reshape(dims)
    sys.exit(f"error: {stem}[.gz] not found in {directory}")


def load(directory, split, device):
    images = read_idx(directory, f"{split}-images-idx3-ubyte").float().div_(255).sub_(MEAN).div_(STD).unsqueeze(1)
    labels = read_idx(directory, f"{split}-labels-idx1-ubyte").long()
    return images.to(device), labels.to(device)


def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", default="auto", help="auto (cuda when available), cuda or cpu")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    args = parser.parse_args()

    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load(args.data, "train", device)
    test_x, test_y = load(args.data, "t10k", device)
    net = model().to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    epoch_seconds, accuracy = [], 0.0
    for epoch in range(1, args.epochs + 1):
        for group in optimizer.param_groups:
            group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / args.epochs))
        sync()
        start = time.perf_counter()
        net.train()
        order = torch.randperm(len(train_x), device=device)
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(net(train_x[batch]), train_y[batch]).backward()
            optimizer.step()
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(test_x), 1000):
                correct += (net(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item()
        sync()
        epoch_seconds.append(time.perf_counter() - start)
        accuracy = correct / len(test_x)

    ordered = sorted(epoch_seconds)
    print(json.dumps({
        "device": device,
        "device_name": torch.cuda.get_device_name() if device.startswith("cuda") else "cpu",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "epoch_seconds": [round(s, 4) for s in epoch_seconds],
        "median_epoch_seconds": round(ordered[len(ordered) // 2], 4),
        "test_accuracy": round(accuracy, 4),
    }))


if __name__ == "__main__":
    main()
