#!/usr/bin/python3
# make-siglip-reference.py - builds tiny random SigLIP and SigLIP 2 models in
# Hugging Face's `SiglipModel` directory layout and writes the goldens the
# engine's tests/engine/test-siglip.c checks against (tests/data/siglip/).
#
# Copyright 2026 The Clipsight authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by hand, not in CI:
#   apt-get install python3-torch python3-numpy python3-sentencepiece
#   /usr/bin/python3 tools/make-siglip-reference.py
#
# transformers cannot be installed here, so the forward pass below is
# written from the semantics of Hugging Face's modeling_siglip.py (as issue
# 13 lists them), not imported:
#   vision: Conv2d patch embedding (stride = patch, with bias) + learned
#     position embeddings, NO class token, NO pre-layernorm; pre-LN encoder
#     layers (gelu_pytorch_tanh, layer_norm_eps from the config, attention
#     scaled by head_dim^-0.5, no mask); post_layernorm; then the
#     attention-pooling head: the learned probe [1, 1, hidden] attends over
#     all patches through nn.MultiheadAttention (in_proj_weight packs q, k, v
#     as [3 hidden, hidden]; out_proj), then x + mlp(layernorm(x)), row 0.
#     The image embedding is that pooled vector (no projection).
#   text: token + learned position embeddings (positions 0..63), the same
#     encoder with NO attention mask and NO causal mask, final_layer_norm,
#     the LAST position's state (63 of 64) through `head` (Linear with bias).
#   score: sigmoid(exp(logit_scale) * cos + logit_bias).
# Everything is computed in float64 from the stored weights (F16/BF16
# copies upcast), so the golden numbers are the exact answers for each file.
#
# Preprocessing is SiglipImageProcessor's: resize straight to size (no
# crop) with Pillow's Image.resize(BILINEAR) (antialiased when
# downscaling), rescale 1/255, normalise with mean/std 0.5.  Before that,
# as the engine does for every model: EXIF orientation applied; RGBA
# resized with Pillow's premultiplied alpha and only then made RGB; L
# resized as one channel and replicated (the clip-reference rules).
#
# Token ids come from tools/make-spm-goldens.py's wrapping functions
# (siglip_ids: SiglipTokenizer; siglip2_ids: Siglip2Tokenizer), padded to 64
# with the pad id (SigLIP 1: "</s>", SigLIP 2: "<pad>").

import importlib.util
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import sentencepiece as spm
import torch
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')
SPM_DIR = os.path.join(ROOT, 'tests', 'data', 'spm')
IMAGES_DIR = os.path.join(ROOT, '..', 'shared', 'testdata', 'clip-reference', 'images')

CONTEXT = 64
IMAGE_SIZE = 64
PATCH = 16
HIDDEN = 64
HEADS = 4
MLP = 128
LAYERS = 2
EPS = 1e-6

# The clip-reference photos, made small (so the raw pixels can live in the
# repository) at sizes that exercise downscaling by non-integer factors in
# both directions, upscaling, aspect distortion, grey, RGBA and EXIF.
IMAGES = [('rocket.jpg', (160, 107)), ('astronaut-portrait.jpg', (110, 160)),
          ('camera.png', (120, 120)), ('coffee-small.png', (48, 32)),
          ('chelsea-alpha.png', (151, 100)), ('chelsea-exif6.jpg', (93, 64))]

TEXTS = [
    'a photo of a rocket',
    'A Photo of an Astronaut!',
    'a black and white photo of a man with a camera',
    'a cup of coffee on a table',
    'a cat',
    'Straße in München, café au lait',
    'İSTANBUL ıi',
    'φωτογραφία μιας γάτας',
    'фотография кошки',
    'صورة قطة',
    'תמונה של חתול',
    'एक बिल्ली की तस्वीर',
    'ภาพถ่ายของแมว',
    '一只猫的照片',
    '猫の写真',
    '고양이 사진',
    'cat 🐈 🚀 👩‍🚀',
    '12345 rockets in 2026',
    '   lots   of\twhitespace \n here  ',
    'a very long caption ' + ' '.join(['word%d' % i for i in range(80)]),
]


def load_spm_goldens():
    spec = importlib.util.spec_from_file_location('spmgold', os.path.join(HERE, 'make-spm-goldens.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --- safetensors -----------------------------------------------------------

def bf16_round(a):
    """float32 array -> uint16 bfloat16 bits, round to nearest even."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    rounding = ((bits >> 16) & 1) + 0x7fff
    return ((bits + rounding) >> 16).astype(np.uint16)


def bf16_to_f32(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def stored(a, dtype):
    """The float64 values a tensor has once stored as dtype."""
    a = np.asarray(a, dtype=np.float32)
    if dtype == 'F32':
        return a.astype(np.float64)
    if dtype == 'F16':
        return a.astype(np.float16).astype(np.float64)
    return bf16_to_f32(bf16_round(a)).astype(np.float64)


def write_safetensors(path, tensors, dtype):
    header = {'__metadata__': {'format': 'pt'}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name], dtype=np.float32)
        if dtype == 'F32':
            raw = a.astype('<f4').tobytes()
        elif dtype == 'F16':
            raw = a.astype('<f2').tobytes()
        else:
            raw = bf16_round(a).astype('<u2').tobytes()
        header[name] = {'dtype': dtype, 'shape': list(a.shape),
                        'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# --- random weights --------------------------------------------------------

def make_weights(seed, vocab):
    g = np.random.default_rng(seed)
    t = {}

    def lin(name, n, k, scale=1.0, bias=True):
        t[name + '.weight'] = g.normal(0, scale / math.sqrt(k), (n, k))
        if bias:
            t[name + '.bias'] = g.normal(0, 0.1, (n,))

    def ln(name):
        t[name + '.weight'] = 1.0 + g.normal(0, 0.2, (HIDDEN,))
        t[name + '.bias'] = g.normal(0, 0.1, (HIDDEN,))

    def mlp(name):
        lin(name + '.fc1', MLP, HIDDEN, 1.5)
        # Part of the hidden units pushed into the negative tail, where the
        # tanh approximation, the exact GELU and QuickGELU differ most.
        t[name + '.fc1.bias'][: MLP // 3] -= 2.0
        lin(name + '.fc2', HIDDEN, MLP)

    def encoder(prefix):
        for i in range(LAYERS):
            p = '%s.encoder.layers.%d.' % (prefix, i)
            ln(p + 'layer_norm1')
            for x in ('q', 'k', 'v', 'out'):
                lin(p + 'self_attn.%s_proj' % x, HIDDEN, HIDDEN, 1.5 if x in 'qk' else 1.0)
            ln(p + 'layer_norm2')
            mlp(p + 'mlp')

    n_patches = (IMAGE_SIZE // PATCH) ** 2
    t['vision_model.embeddings.patch_embedding.weight'] = g.normal(
        0, 1.0 / math.sqrt(3 * PATCH * PATCH), (HIDDEN, 3, PATCH, PATCH)) * 3
    t['vision_model.embeddings.patch_embedding.bias'] = g.normal(0, 0.1, (HIDDEN,))
    t['vision_model.embeddings.position_embedding.weight'] = g.normal(0, 0.5, (n_patches, HIDDEN))
    encoder('vision_model')
    ln('vision_model.post_layernorm')
    t['vision_model.head.probe'] = g.normal(0, 1.0, (1, 1, HIDDEN))
    t['vision_model.head.attention.in_proj_weight'] = g.normal(0, 1.5 / math.sqrt(HIDDEN),
                                                               (3 * HIDDEN, HIDDEN))
    t['vision_model.head.attention.in_proj_bias'] = g.normal(0, 0.1, (3 * HIDDEN,))
    lin('vision_model.head.attention.out_proj', HIDDEN, HIDDEN)
    ln('vision_model.head.layernorm')
    mlp('vision_model.head.mlp')

    t['text_model.embeddings.token_embedding.weight'] = g.normal(0, 1.0, (vocab, HIDDEN))
    t['text_model.embeddings.position_embedding.weight'] = g.normal(0, 0.5, (CONTEXT, HIDDEN))
    encoder('text_model')
    ln('text_model.final_layer_norm')
    lin('text_model.head', HIDDEN, HIDDEN)
    t['logit_scale'] = np.array(math.log(10.0))
    t['logit_bias'] = np.array([-1.5])
    return {k: np.asarray(v, dtype=np.float32) for k, v in t.items()}


# --- the forward pass (float64) --------------------------------------------

def gelu_tanh(x):
    return torch.nn.functional.gelu(x, approximate='tanh')


def layer_norm(x, w, b):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, EPS)


def attention(q, k, v, heads):
    """q [Lq, D], k/v [L, D] -> [Lq, D]; no mask."""
    hd = q.shape[-1] // heads
    q = q.view(-1, heads, hd).transpose(0, 1)
    k = k.view(-1, heads, hd).transpose(0, 1)
    v = v.view(-1, heads, hd).transpose(0, 1)
    a = torch.softmax(q @ k.transpose(1, 2) * hd ** -0.5, dim=-1)
    return (a @ v).transpose(0, 1).reshape(-1, heads * hd)


def encoder(W, prefix, x):
    def lin(name, y):
        return y @ W[name + '.weight'].T + W[name + '.bias']
    for i in range(LAYERS):
        p = '%s.encoder.layers.%d.' % (prefix, i)
        h = layer_norm(x, W[p + 'layer_norm1.weight'], W[p + 'layer_norm1.bias'])
        a = attention(lin(p + 'self_attn.q_proj', h), lin(p + 'self_attn.k_proj', h),
                      lin(p + 'self_attn.v_proj', h), HEADS)
        x = x + lin(p + 'self_attn.out_proj', a)
        h = layer_norm(x, W[p + 'layer_norm2.weight'], W[p + 'layer_norm2.bias'])
        x = x + lin(p + 'mlp.fc2', gelu_tanh(lin(p + 'mlp.fc1', h)))
    return x


def encode_image(W, pixels):
    """pixels [3, S, S] -> [HIDDEN]"""
    x = torch.nn.functional.conv2d(pixels[None], W['vision_model.embeddings.patch_embedding.weight'],
                                   W['vision_model.embeddings.patch_embedding.bias'], stride=PATCH)
    x = x.flatten(2)[0].T                        # [patches, hidden], row-major patch order
    x = x + W['vision_model.embeddings.position_embedding.weight']
    x = encoder(W, 'vision_model', x)
    x = layer_norm(x, W['vision_model.post_layernorm.weight'], W['vision_model.post_layernorm.bias'])
    hp = 'vision_model.head.'
    wi, bi = W[hp + 'attention.in_proj_weight'], W[hp + 'attention.in_proj_bias']
    probe = W[hp + 'probe'][0]                   # [1, hidden]
    q = probe @ wi[:HIDDEN].T + bi[:HIDDEN]
    k = x @ wi[HIDDEN:2 * HIDDEN].T + bi[HIDDEN:2 * HIDDEN]
    v = x @ wi[2 * HIDDEN:].T + bi[2 * HIDDEN:]
    h = attention(q, k, v, HEADS)
    h = h @ W[hp + 'attention.out_proj.weight'].T + W[hp + 'attention.out_proj.bias']
    y = layer_norm(h, W[hp + 'layernorm.weight'], W[hp + 'layernorm.bias'])
    y = gelu_tanh(y @ W[hp + 'mlp.fc1.weight'].T + W[hp + 'mlp.fc1.bias'])
    y = y @ W[hp + 'mlp.fc2.weight'].T + W[hp + 'mlp.fc2.bias']
    return (h + y)[0]


def encode_text(W, ids):
    ids = torch.tensor(ids, dtype=torch.long)
    x = W['text_model.embeddings.token_embedding.weight'][ids]
    x = x + W['text_model.embeddings.position_embedding.weight'][: len(ids)]
    x = encoder(W, 'text_model', x)
    x = layer_norm(x, W['text_model.final_layer_norm.weight'], W['text_model.final_layer_norm.bias'])
    return x[-1] @ W['text_model.head.weight'].T + W['text_model.head.bias']


# --- preprocessing ---------------------------------------------------------

def source_image(name, size):
    im = ImageOps.exif_transpose(Image.open(os.path.join(IMAGES_DIR, name)))
    if im.mode not in ('RGB', 'RGBA', 'L'):
        im = im.convert('RGB')
    return im.resize(size, Image.LANCZOS)


def preprocess(im):
    im = im.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR)
    im = im.convert('RGB')
    a = np.asarray(im, dtype=np.float32) * np.float32(1 / 255)
    a = (a - np.float32(0.5)) / np.float32(0.5)
    return np.ascontiguousarray(a.transpose(2, 0, 1), dtype=np.float32)


# --- output ----------------------------------------------------------------

def config(vocab, pad, eos, bos):
    text = {'model_type': 'siglip_text_model', 'vocab_size': vocab, 'hidden_size': HIDDEN,
            'intermediate_size': MLP, 'num_hidden_layers': LAYERS,
            'num_attention_heads': HEADS, 'max_position_embeddings': CONTEXT,
            'hidden_act': 'gelu_pytorch_tanh', 'layer_norm_eps': EPS,
            'pad_token_id': pad, 'eos_token_id': eos, 'projection_size': HIDDEN}
    if bos is not None:
        text['bos_token_id'] = bos
    vision = {'model_type': 'siglip_vision_model', 'hidden_size': HIDDEN, 'intermediate_size': MLP,
              'num_hidden_layers': LAYERS, 'num_attention_heads': HEADS,
              'num_channels': 3, 'image_size': IMAGE_SIZE, 'patch_size': PATCH,
              'hidden_act': 'gelu_pytorch_tanh', 'layer_norm_eps': EPS}
    return {'architectures': ['SiglipModel'], 'model_type': 'siglip',
            'initializer_factor': 1.0, 'torch_dtype': 'float32',
            'text_config': text, 'vision_config': vision}


PREPROCESSOR = {
    'do_convert_rgb': None, 'do_normalize': True, 'do_rescale': True, 'do_resize': True,
    'image_mean': [0.5, 0.5, 0.5], 'image_processor_type': 'SiglipImageProcessor',
    'image_std': [0.5, 0.5, 0.5], 'processor_class': 'SiglipProcessor', 'resample': 2,
    'rescale_factor': 1 / 255, 'size': {'height': IMAGE_SIZE, 'width': IMAGE_SIZE},
}


def f17(x):
    return float('%.17g' % x)


def main():
    out = os.path.join(ROOT, 'tests', 'data', 'siglip')
    # Everything but README.md is regenerated.
    os.makedirs(out, exist_ok=True)
    for entry in os.listdir(out):
        if entry != 'README.md':
            path = os.path.join(out, entry)
            shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
    os.makedirs(os.path.join(out, 'preprocess'))
    os.makedirs(os.path.join(out, 'images'))
    torch.set_default_dtype(torch.float64)
    gold = load_spm_goldens()

    # Preprocessing (shared by every model: same size, same mean/std).
    pre = {}
    image_facts = []
    for name, size in IMAGES:
        stem = os.path.splitext(name)[0]
        im = source_image(name, size)
        # The pixels the engine test feeds clip_preprocess (row-major, 1, 3
        # or 4 bytes per pixel), and the same as a PNG for the CLI.
        with open(os.path.join(out, 'images', stem + '.u8'), 'wb') as f:
            f.write(im.tobytes())
        im.save(os.path.join(out, 'images', stem + '.png'))
        image_facts.append({'stem': stem, 'source': name, 'width': im.size[0],
                            'height': im.size[1], 'mode': im.mode,
                            'channels': len(im.getbands())})
        a = preprocess(im)
        a.tofile(os.path.join(out, 'preprocess', stem + '.f32'))
        pre[stem] = torch.from_numpy(a.astype(np.float64))

    families = []
    uni = spm.SentencePieceProcessor(model_file=os.path.join(SPM_DIR, 'unigram.model'))
    sp1 = gold.siglip_processor(os.path.join(SPM_DIR, 'unigram.model'))
    eos1 = uni.piece_to_id('</s>')
    families.append({
        'name': 'siglip', 'seed': 1301, 'vocab': uni.vocab_size(),
        'tok_src': 'unigram.model', 'tok_file': 'spiece.model',
        'ids': lambda s: gold.siglip_ids(sp1, s), 'pad': eos1, 'eos': eos1, 'bos': None,
        'tokenizer_config': {'tokenizer_class': 'SiglipTokenizer', 'do_lower_case': True,
                             'model_max_length': CONTEXT, 'eos_token': '</s>',
                             'pad_token': '</s>', 'unk_token': '<unk>'},
    })
    bpe = spm.SentencePieceProcessor(model_file=os.path.join(SPM_DIR, 'bpe.model'))
    families.append({
        'name': 'siglip2', 'seed': 1302, 'vocab': bpe.vocab_size(),
        'tok_src': 'bpe.model', 'tok_file': 'tokenizer.model',
        'ids': lambda s: gold.siglip2_ids(bpe, s), 'pad': bpe.pad_id(), 'eos': bpe.eos_id(),
        'bos': bpe.bos_id(),
        'tokenizer_config': {'tokenizer_class': 'GemmaTokenizer', 'add_bos_token': False,
                             'add_eos_token': True, 'padding_side': 'right',
                             'model_max_length': CONTEXT,
                             'bos_token': bpe.id_to_piece(bpe.bos_id()),
                             'eos_token': bpe.id_to_piece(bpe.eos_id()),
                             'pad_token': bpe.id_to_piece(bpe.pad_id()),
                             'unk_token': bpe.id_to_piece(bpe.unk_id())},
    })

    manifest = {'format': 'siglip-golden/1',
                'reference': 'tools/make-siglip-reference.py: HF SiglipModel semantics, '
                             'written from the issue-13 description (transformers not installed)',
                'precision': 'float64', 'context_length': CONTEXT,
                'images': image_facts,
                'models': []}
    emb = {'images': [f['stem'] for f in image_facts], 'texts': TEXTS, 'models': {}}
    for fam in families:
        ids = []
        for s in TEXTS:
            v = fam['ids'](s)
            ids.append(v + [fam['pad']] * (CONTEXT - len(v)))
        emb['ids_' + fam['name']] = ids
        W32 = make_weights(fam['seed'], fam['vocab'])
        for dtype in ('F32', 'F16', 'BF16'):
            name = fam['name'] + ('' if dtype == 'F32' else '-' + dtype.lower())
            d = os.path.join(out, name)
            os.makedirs(d)
            write_safetensors(os.path.join(d, 'model.safetensors'), W32, dtype)
            with open(os.path.join(d, 'config.json'), 'w') as f:
                json.dump(config(fam['vocab'], fam['pad'], fam['eos'], fam['bos']), f, indent=2)
            with open(os.path.join(d, 'preprocessor_config.json'), 'w') as f:
                json.dump(PREPROCESSOR, f, indent=2)
            with open(os.path.join(d, 'tokenizer_config.json'), 'w') as f:
                json.dump(fam['tokenizer_config'], f, indent=2)
            shutil.copy(os.path.join(SPM_DIR, fam['tok_src']), os.path.join(d, fam['tok_file']))

            W = {k: torch.from_numpy(stored(v, dtype)) for k, v in W32.items()}
            img = {s: encode_image(W, p) for s, p in pre.items()}
            txt = [encode_text(W, i) for i in ids]
            scale = float(W['logit_scale'].exp())
            bias = float(W['logit_bias'].reshape(-1)[0])
            m = {'dtype': dtype, 'family': fam['name'], 'embed_dim': HIDDEN,
                 'logit_scale': f17(W['logit_scale']), 'logit_scale_exp': f17(scale),
                 'logit_bias': f17(bias), 'image_embeddings': {}, 'text_embeddings': [],
                 'probs': {}}
            for s, e in img.items():
                m['image_embeddings'][s] = {'raw': [f17(x) for x in e],
                                            'normalized': [f17(x) for x in e / e.norm()]}
            for s, e in zip(TEXTS, txt):
                m['text_embeddings'].append({'text': s, 'raw': [f17(x) for x in e],
                                             'normalized': [f17(x) for x in e / e.norm()]})
            for s, e in img.items():
                row = []
                for t in txt:
                    cos = float(e @ t / (e.norm() * t.norm()))
                    row.append(f17(1 / (1 + math.exp(-(scale * cos + bias)))))
                m['probs'][s] = row
            emb['models'][name] = m
            manifest['models'].append({'name': name, 'dir': name, 'dtype': dtype,
                                       'family': fam['name'], 'tokenizer': fam['tok_file'],
                                       'image_size': IMAGE_SIZE,
                                       'cos_min': 0.9999 if dtype == 'F32' else 0.999})
            pmin = min(min(r) for r in m['probs'].values())
            pmax = max(max(r) for r in m['probs'].values())
            print('%s: probs %.4f..%.4f' % (name, pmin, pmax))
    with open(os.path.join(out, 'embeddings.json'), 'w', encoding='utf-8') as f:
        json.dump(emb, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    sys.exit(main())
