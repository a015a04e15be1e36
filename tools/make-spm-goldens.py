#!/usr/bin/python3
# make-spm-goldens.py - SentencePiece models and reference ids for test-spm.
#
# Copyright 2026 The Clipsight authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by hand (not in CI), with Debian's interpreter and its
# python3-sentencepiece (0.1.97):
#
#   apt-get install -y python3-sentencepiece
#   /usr/bin/python3 tools/make-spm-goldens.py [--out tests/data/spm]
#                                              [--full-nfkc DIR]
#
# It trains two small models on a generated multilingual corpus with
# SentencePiece's own trainer and writes, for each, the ids that
# SentencePiece's EncodeAsIds gives for >= 3000 strings:
#
#   unigram.model  SigLIP 1 style (its spiece.model): a unigram model;
#                  add_dummy_prefix, remove_extra_whitespaces and
#                  escape_whitespaces on (the defaults, as SigLIP's);
#                  pad 0, eos 1, unk 2, no bos (T5 / SigLIP numbering);
#                  three user-defined symbols (SigLIP's has none, T5's
#                  <extra_id_N> are the kind) to check their handling.
#                  SigLIP's model normalises with nmt_nfkc, whose
#                  precompiled charsmap alone is 238 kB; to keep the
#                  committed model small its charsmap is compiled here
#                  from a rule table: NFKC of the characters the corpus
#                  and the test strings use plus a set of compatibility
#                  characters (full-width, ligatures, circled numbers,
#                  half-width katakana...), NFD sequences composed, the
#                  nmt_nfkc treatment of control characters and spaces.
#                  The engine reads it with the same code as nmt_nfkc's
#                  (a double-array trie and a blob of strings);
#                  --full-nfkc DIR also writes a model with the real
#                  nmt_nfkc map and its goldens to DIR, for a by-hand
#                  check (CLIPSIGHT_SPM_EXTRA=DIR test-spm).
#   bpe.model      SigLIP 2 style (Gemma's tokenizer.model): BPE with
#                  byte_fallback and split_digits, identity normalisation,
#                  no dummy prefix, extra whitespace kept,
#                  allow_whitespace_only_pieces, a few user-defined
#                  symbols; pad 0, eos 1, bos 2, unk 3 (Gemma's numbering).
#
# Goldens ({unigram,bpe}-ids.json): a list of cases, each with "text"
# (the string) or "hex" (its bytes, for input that is not valid UTF-8 or
# holds a NUL)
# and "ids".  SentencePiece's Python API takes bytes as they are (it
# encodes a str to UTF-8 first), so the invalid cases are passed as bytes:
# the same bytes the C API gets from the command line, where SentencePiece
# turns each byte of a malformed sequence into U+FFFD.

import argparse
import io
import json
import os
import random
import struct
import sys
import unicodedata

import sentencepiece as spm

WORDS = {
    'en': 'a photo of the dog cat red car tree house beach mountain sunset city street people '
          'child woman man bicycle flower garden snow river lake bridge night sky cloud bird horse '
          'boat train with and on in two three small big old new green blue yellow black white '
          'running sitting playing sleeping eating looking standing walking',
    'fr': 'le chat noir à côté de la fenêtre été élève où garçon crème brûlée naïve Noël forêt '
          'château hôpital une photo du chien sur plage soleil coucher ville rue',
    'es': 'niño señora mañana corazón árbol canción pingüino dónde hola perro gato playa montaña '
          'ciudad calle el la una foto',
    'pt': 'ação coração não pão irmã você cão gato praia cidade rua foto',
    'de': 'Straße Fußball groß weiß Mädchen Häuser schön Brücke Grüße Äpfel Öl Übung STRASSE der '
          'die das Hund Katze Baum Haus Strand Berg Sonnenuntergang Stadt',
    'tr': 'İstanbul ılık ışık kız çocuk güneş göl ağaç şehir Iğdır DİYARBAKIR köpek kedi ev deniz',
    'vi': 'Việt Nam phở người đường thành phố con chó mèo nhà cây biển',
    'pl': 'źdźbło łódź żółw pies kot dom drzewo morze słońce miasto ulica',
    'el': 'ο σκύλος η γάτα θάλασσα ήλιος βουνό Αθήνα ΣΟΦΊΑ σπίτι δέντρο πόλη δρόμος φωτογραφία',
    'ru': 'собака кошка дом улица море солнце город Москва ёлка дерево машина красный фото на в '
          'и с большой маленький',
    'uk': 'їжак ґанок є собака кіт будинок дерево місто',
    'ar': 'قطة كلب بيت شجرة بحر شمس مدينة سيارة القاهرة كتاب صورة في على',
    'he': 'כלב חתול בית עץ ים שמש עיר ירושלים מכונית תמונה של',
    'hi': 'कुत्ता बिल्ली घर पेड़ समुद्र सूरज शहर दिल्ली गाड़ी नमस्ते तस्वीर एक और',
    'th': 'สุนัข แมว บ้าน ต้นไม้ ทะเล ดวงอาทิตย์ เมือง กรุงเทพ รถ สวัสดี ภาพ',
    'zh': '狗 猫 房子 树 大海 太阳 城市 北京 汽车 你好 红色 的 照片 一只 在 上 山 河 花 人',
    'ja': '犬 猫 家 木 海 太陽 東京 車 こんにちは ねこ いぬ の しゃしん カメラ コーヒー ラーメン 写真 です',
    'ko': '개 고양이 집 나무 바다 태양 도시 서울 자동차 안녕하세요 사진 의 한 마리',
}
# Languages written without spaces between words.
NO_SPACE = {'zh', 'ja', 'th'}
EMOJI = ['😀', '🐶', '🐱', '🌳', '🌊', '☀️', '🚗', '👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️', '🎉', '📷',
         '🍕', '🏔️', '✨']
PUNCT = ['.', ',', '!', '?', ':', ';', '-', '(', ')', '"', "'", '«', '»', '¿', '¡', '、', '。',
         '،', '…', '—']
# Characters the models never see in training (unknown: unk or bytes).
RARE = ['☃', '𝔘', '𓀀', '⚗', 'ꙮ', '𐍈', 'ᚠ', 'ⴰ', '߷', '〄', '🦩', '🪐', '\U0010fffd', '\ue000',
        '\u0378']
# Compatibility characters: NFKC changes them (full-width, ligatures...).
COMPAT = (['\uff21', '\uff41', '\uff10', '\uff01', 'ﬁ', 'ﬂ', 'ﬀ', '²', '³', '¹', '½', '¼',
           '℃', '™', '㈱', '①', '⑳', 'ｶ', 'ﾟ', 'Ⅻ', 'Ω', 'Å', 'µ', 'ſ', 'ǆ', '㎏', '…', 'ﷺ',
           'ㄱ', 'ﻻ', '\u00a0', '\u3000', '\u2003', '\u2009'])
SPACES = [' ', '  ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2003', ' \t ', '\u200b']
BAD_UTF8 = [b'\xff', b'\xfe', b'\x80', b'\xbf', b'\xc3', b'\xe2\x82', b'\xf0\x9f\x98', b'\xc0\xaf',
            b'\xe0\x80\xaf', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'\xf8\x88\x80\x80\x80',
            b'\xc3\x28', b'\xef\xbf\xbd']


def words(lang):
    return WORDS[lang].split()


def number(r):
    kind = r.randrange(6)
    if kind == 0:
        return str(r.randrange(10))
    if kind == 1:
        return str(r.randrange(10 ** r.randrange(2, 12)))
    if kind == 2:
        return '%d.%02d' % (r.randrange(1000), r.randrange(100))
    if kind == 3:
        return '{:,}'.format(r.randrange(10 ** 7))
    if kind == 4:
        return '%04d-%02d-%02d' % (r.randrange(1900, 2100), r.randrange(1, 13), r.randrange(1, 29))
    return ''.join(r.choice('٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３') for _ in range(r.randrange(1, 5)))


def sentence(r, lang, n=None):
    n = n or r.randrange(1, 9)
    ws = [r.choice(words(lang)) for _ in range(n)]
    if r.random() < 0.3:
        ws.insert(r.randrange(len(ws) + 1), number(r))
    if r.random() < 0.2:
        ws.insert(r.randrange(len(ws) + 1), r.choice(EMOJI))
    sep = '' if lang in NO_SPACE and r.random() < 0.7 else ' '
    s = sep.join(ws)
    if r.random() < 0.4:
        s += r.choice(PUNCT)
    if r.random() < 0.3:
        s = s[0].upper() + s[1:]
    return s


def corpus(r, n):
    langs = sorted(WORDS)
    out = []
    for _ in range(n):
        out.append(sentence(r, r.choice(langs)))
    # Mixed-script lines too.
    for _ in range(n // 10):
        out.append(' '.join(sentence(r, r.choice(langs), 2) for _ in range(3)))
    return out


def test_strings(r):
    """(str or bytes) cases: every category, then random mixtures."""
    langs = sorted(WORDS)
    cases = ['', ' ', '   ', 'a', 'A', '▁', '▁▁a', ' ▁ ', '<unk>', '<s>', '</s>', '<pad>',
             '<0x41>', '<extra_id_0>', 'a<extra_id_1>b photos', 'photophoto', ' photo ',
             '<start_of_turn>user', 'x<end_of_turn>', '<start_of_turn><end_of_turn>',
             '\u2581hello', 'hello\u2581', '\ufffd', 'ß', 'SS', 'ẞ', 'İ', 'ı', 'i̇', 'ΣΑΣ', 'ς',
             'e\u0301', 'E\u0301cole', 'n\u0303', 'A\u030a', '\u1100\u1161', 'ｶﾞ', 'ﬃ',
             'ﾊﾟﾝ', 'ｶﾞｷﾞ', 'ｶｷ', '\uff21\u030a', '\uff45\u0301t\uff45\u0301']
    for lang in langs:
        for w in words(lang):
            cases.append(w)
            cases.append(w.upper())
        for _ in range(60):
            cases.append(sentence(r, lang))
    for e in EMOJI + RARE + COMPAT + PUNCT + SPACES:
        cases.append(e)
        cases.append('x' + e + 'y')
        cases.append(e + ' ' + sentence(r, r.choice(langs), 2) + ' ' + e)
    for _ in range(200):
        cases.append(number(r))
        cases.append(sentence(r, 'en', 2) + ' ' + number(r) + ' ' + number(r))
    for _ in range(200):
        parts = []
        for _ in range(r.randrange(1, 6)):
            k = r.randrange(5)
            if k == 0:
                parts.append(r.choice(SPACES))
            elif k == 1:
                parts.append(r.choice(RARE + COMPAT))
            else:
                parts.append(sentence(r, r.choice(langs), 2))
        cases.append(''.join(parts))
    for _ in range(300):
        lead = ''.join(r.choice(SPACES) for _ in range(r.randrange(3)))
        trail = ''.join(r.choice(SPACES) for _ in range(r.randrange(3)))
        mid = r.choice(SPACES)
        cases.append(lead + sentence(r, r.choice(langs), 2) + mid + sentence(r, r.choice(langs), 2)
                     + trail)
    # Invalid UTF-8 (and a NUL byte), as bytes.
    for b in BAD_UTF8 + [b'\x00', b'a\x00b']:
        cases.append(b)
        cases.append(b'abc' + b + b'def')
        cases.append(b + b + b' ' + b)
    for _ in range(150):
        s = sentence(r, r.choice(langs)).encode()
        pos = r.randrange(len(s) + 1)
        cases.append(s[:pos] + r.choice(BAD_UTF8) + s[pos:])
    for _ in range(300):
        cases.append(' '.join(sentence(r, r.choice(langs), r.randrange(1, 4))
                              for _ in range(r.randrange(1, 4))))
    # Long strings (the SigLIP context is 64 tokens; the encoder has no limit).
    for _ in range(30):
        cases.append(' '.join(sentence(r, r.choice(langs)) for _ in range(20)))
    return cases


def rule_table(chars):
    """An nmt_nfkc-like rule table for `chars`: (source, target) pairs."""
    rules = {}
    for c in sorted(chars):
        cp = ord(c)
        if cp < 0x20 or cp == 0x7f or 0x80 <= cp < 0xa0:
            # nmt_nfkc: tab, newline and carriage return are spaces; other
            # control characters are dropped.
            rules[c] = ' ' if c in '\t\n\r' else ''
            continue
        if cp in (0x200b, 0x200c, 0x200e, 0x200f, 0xfeff):
            rules[c] = ''
            continue
        n = unicodedata.normalize('NFKC', c)
        if n != c:
            rules[c] = n
    # Combining sequences composed, as NFKC does.
    for c in sorted(chars):
        d = unicodedata.normalize('NFD', c)
        if len(d) > 1 and unicodedata.normalize('NFKC', d) != d:
            rules[d] = unicodedata.normalize('NFKC', d)
    # A character followed by a mark that composes with what it becomes
    # (half-width katakana and their voicing marks, full-width letters and
    # accents): keys that extend shorter keys, so the longest must win.
    marks = ['\u0301', '\u0308', '\u030a', '\u3099', '\u309a', '\uff9e', '\uff9f']
    for c in sorted(chars):
        for m in marks:
            whole = unicodedata.normalize('NFKC', c + m)
            if whole != unicodedata.normalize('NFKC', c) + unicodedata.normalize('NFKC', m):
                rules[c + m] = whole
    return rules


def write_rules(path, rules):
    with open(path, 'w', encoding='utf-8') as f:
        for src, dst in sorted(rules.items()):
            f.write(' '.join('%X' % ord(c) for c in src) + '\t'
                    + ' '.join('%X' % ord(c) for c in dst) + '\n')


def train(lines, prefix, **kw):
    # From an iterator into memory: no temporary paths end up in the
    # model's trainer_spec, so the same corpus gives the same bytes.
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model,
                                   minloglevel=2, num_threads=1, **kw)
    with open(prefix + '.model', 'wb') as f:
        f.write(model.getvalue())
    return prefix + '.model'


def write_goldens(model_path, cases, out_path):
    sp = spm.SentencePieceProcessor(model_file=model_path)
    rows = []
    for c in cases:
        ids = sp.EncodeAsIds(c)
        if isinstance(c, bytes):
            # "hex" for what a C string cannot hold either (a NUL).
            try:
                row = {'text': c.decode('utf-8')} if b'\0' not in c else {'hex': c.hex()}
            except UnicodeDecodeError:
                row = {'hex': c.hex()}
        else:
            row = {'text': c}
        row['ids'] = ids
        rows.append(row)
    doc = {
        'model': os.path.basename(model_path),
        'generator': 'tools/make-spm-goldens.py',
        'sentencepiece': spm.__version__,
        'api': 'SentencePieceProcessor.EncodeAsIds; "hex" cases passed as bytes',
        'cases': rows,
    }
    # One case a line: a diff of a regenerated file stays readable.
    cases_json = ',\n'.join(json.dumps(row, ensure_ascii=False) for row in rows)
    doc['cases'] = None
    head = json.dumps(doc, ensure_ascii=False, indent=1)
    head = head.replace('"cases": null', '"cases": [\n' + cases_json + '\n]')
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write(head + '\n')
    return len(rows)


# --- crafted models ------------------------------------------------------
#
# Small models written here field by field (SentencePiece loads any
# ModelProto), each made to tell one rule of the encoder from its likely
# misreadings: the unigram user-defined bonus, the unknown penalty, ties,
# BPE's frozen user-defined symbols and UNUSED pieces, whitespace as a
# suffix, unescaped whitespace, runs of unknowns, unigram byte fallback,
# a control piece met in the text.  crafted.json holds each model (hex)
# with the ids SentencePiece gives for its strings.

def pb_varint(v):
    out = b''
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_key(field, wire):
    return pb_varint(field << 3 | wire)


def pb_bytes(field, data):
    return pb_key(field, 2) + pb_varint(len(data)) + data


def pb_bool(field, v):
    return pb_key(field, 0) + pb_varint(int(v))


def crafted_model(pieces, model_type, byte_fallback=False, suffix=False, dummy=False,
                  remove=False, escape=True):
    out = b''
    for p in pieces:
        text, score = p[0], p[1]
        ptype = p[2] if len(p) > 2 else 1
        m = pb_bytes(1, text.encode()) + pb_key(2, 5) + struct.pack('<f', score)
        if ptype != 1:
            m += pb_key(3, 0) + pb_varint(ptype)
        out += pb_bytes(1, m)
    if byte_fallback:
        for b in range(256):
            out += pb_bytes(1, pb_bytes(1, ('<0x%02X>' % b).encode()) + pb_key(3, 0)
                            + pb_varint(6))
    trainer = pb_key(3, 0) + pb_varint(model_type)
    if suffix:
        trainer += pb_bool(24, True)
    if byte_fallback:
        trainer += pb_bool(35, True)
    out += pb_bytes(2, trainer)
    out += pb_bytes(3, pb_bytes(1, b'identity') + pb_bool(3, dummy) + pb_bool(4, remove)
                    + pb_bool(5, escape))
    return out


UNK = ('<unk>', 0.0, 2)
WS = '\u2581'
CRAFTED = [
    # User-defined pieces score length x (the highest NORMAL score, at
    # least FLT_MIN) - 0.1, not their own score: "ud" (-5) still wins.
    ('unigram-user', crafted_model([UNK, ('u', -0.5), ('d', -0.5), ('ud', -5.0, 4),
                                    ('v', -0.01), ('w', -0.01), ('vw', 0.0, 4)], 1),
     ['ud', 'udud', 'xudx', 'vw', 'uvwd', 'uudd', 'dvwu']),
    # An unknown character costs the lowest score - 10.
    ('unigram-unk', crafted_model([UNK, ('q', -12.0), ('xy', -12.0), ('y', 0.0), ('z', -5.0),
                                   ('yz', 0.0)], 1),
     ['xyz', 'xy', 'x', 'xxyz', 'wxyz', 'yzx', 'qxyzq']),
    # Equal paths: the first found stays.
    ('unigram-ties', crafted_model([UNK, ('d', -1.0), ('e', -1.0), ('de', -2.0),
                                    ('ed', -2.0)], 1),
     ['de', 'dede', 'ded', 'ede', 'eded']),
    # A user-defined symbol is never merged further.
    ('bpe-user', crafted_model([UNK, ('a', 0.0), ('b', 0.0), ('c', 0.0), ('ab', 0.0, 4),
                                ('abc', -1.0), ('bc', -5.0)], 2),
     ['abc', 'xabc', 'ab', 'cab', 'abcabc', 'bcab']),
    # An UNUSED piece made by a merge is split back into its two parts.
    ('bpe-unused', crafted_model([UNK, ('a', 0.0), ('b', 0.0), ('c', 0.0), ('ab', -1.0, 5),
                                  ('abc', -2.0), ('bc', -3.0)], 2),
     ['ab', 'abc', 'abab', 'cab', 'abcab']),
    # treat_whitespace_as_suffix: the dummy space goes behind.
    ('unigram-suffix', crafted_model([UNK, ('a', -1.0), ('b', -1.0), (WS, -2.0),
                                      ('a' + WS, -1.5), ('b' + WS, -1.5)], 1, suffix=True,
                                     dummy=True, remove=True),
     ['a b', ' a  b ', 'ab', '', '   ', 'a\u2581b']),
    # escape_whitespaces off: spaces stay spaces.
    ('bpe-noescape', crafted_model([UNK, ('a', 0.0), ('b', 0.0), (' ', 0.0), (' a', -1.0),
                                    ('a ', -2.0)], 2, dummy=True, escape=False),
     ['a b', '  a', 'a  ', ' ', 'a\u2581b']),
    # Without byte fallback a run of unknowns is one unknown id.
    ('bpe-unk-run', crafted_model([UNK, ('a', 0.0), ('b', 0.0), ('ab', -1.0)], 2),
     ['a\u2603\u2603b', '\u2603', '\u2603a\u2603', 'xyz', 'axbyc']),
    # Byte fallback applies to unigram models too.
    ('unigram-bytes', crafted_model([UNK, ('a', -1.0), ('b', -1.0)], 1, byte_fallback=True),
     ['a\u2603b', 'x', 'ab', '\u00e9\u00e9']),
    # A control piece that is also a character of the text.
    ('bpe-control', crafted_model([UNK, ('c', 0.0, 3), ('a', 0.0), ('b', 0.0), ('ab', -1.0)],
                                  2),
     ['abc', 'cab', 'c', 'ccc']),
]


def write_crafted(out_path):
    models = []
    for name, data, cases in CRAFTED:
        sp = spm.SentencePieceProcessor(model_proto=data)
        models.append({'name': name, 'model_hex': data.hex(),
                       'cases': [{'text': c, 'ids': sp.EncodeAsIds(c)} for c in cases]})
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write('{"generator": "tools/make-spm-goldens.py", "sentencepiece": "%s", "models": [\n'
                % spm.__version__)
        f.write(',\n'.join(json.dumps(m, ensure_ascii=False) for m in models))
        f.write('\n]}\n')
    return sum(len(m['cases']) for m in models)


# --- SigLIP's wrapping ----------------------------------------------------
#
# What Hugging Face's SiglipTokenizer (transformers, models/siglip/
# tokenization_siglip.py) with SiglipProcessor's padding="max_length",
# max_length=64 and truncation does around SentencePiece, step by step:
#   - get_spm_processor() loads the model with normalizer_spec.
#     add_dummy_prefix set to false (a second NormalizerSpec appended to
#     the file: protobuf merges it into the first);
#   - tokenize(): "\u2581" + text with every "\u2581" replaced by " ";
#   - PreTrainedTokenizer.tokenize(): text.lower() (do_lower_case), split
#     around the special tokens ("</s>", "<unk>": not reproduced here, no
#     case contains them);
#   - _tokenize(): canonicalize_text: ASCII punctuation
#     (string.punctuation) removed, runs of whitespace (re "\s+") made one
#     space, strip(); then the pieces of "<unk>" + text without the first
#     len(encode("<unk>")) of them;
#   - the ids truncated to 63, EOS ("</s>") appended, padded with the pad
#     token ("</s>" too) to 64.
# This is a reimplementation from reading that code (transformers cannot
# be installed here), run with SentencePiece and Python's own lower(),
# string.punctuation and re.

SIGLIP_CONTEXT = 64


def siglip_processor(model_path):
    with open(model_path, 'rb') as f:
        data = f.read()
    # NormalizerSpec { add_dummy_prefix: false } as a second field 3.
    data += pb_bytes(3, pb_bool(3, False))
    return spm.SentencePieceProcessor(model_proto=data)


def siglip_ids(sp, text):
    import re
    import string
    text = '\u2581' + text.replace('\u2581', ' ')
    text = text.lower()
    text = text.translate(str.maketrans('', '', string.punctuation))
    text = re.sub(r'\s+', ' ', text).strip()
    unk = '<unk>'
    pieces = sp.encode(unk + text, out_type=str)
    n_unk = len(sp.encode(unk))
    pieces = pieces[n_unk:] if len(pieces) >= n_unk else pieces
    ids = [sp.piece_to_id(p) for p in pieces]
    eos = sp.piece_to_id('</s>')
    # Padding (with the pad token, "</s>" = eos) to 64 left out of the
    # file: the test checks it.
    return ids[:SIGLIP_CONTEXT - 1] + [eos]


def write_siglip(model_path, cases, out_path):
    sp = siglip_processor(model_path)
    rows = []
    for c in cases:
        if isinstance(c, bytes) or '</s>' in c or '<unk>' in c:
            continue
        rows.append(json.dumps({'text': c, 'ids': siglip_ids(sp, c)}, ensure_ascii=False))
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write('{"model": "%s", "generator": "tools/make-spm-goldens.py", "wrapping": '
                '"SiglipTokenizer + SiglipProcessor(padding=max_length, max_length=64); '
                'the ids before the padding (with </s>) to 64", '
                '"cases": [\n' % os.path.basename(model_path))
        f.write(',\n'.join(rows))
        f.write('\n]}\n')
    return len(rows)


# SigLIP 2 (Gemma's tokenizer.model), as Hugging Face sets it up:
# convert_siglip2_to_hf.py makes a GemmaTokenizerFast with
# add_bos_token=False, add_eos_token=True, padding_side="right";
# Siglip2Tokenizer puts a Lowercase normalizer (one character at a time)
# in front of Gemma's; the model card asks for padding="max_length",
# max_length=64.  So: lower case character by character, the model's own
# encoding, at most 63 ids, "<eos>", "<pad>" to 64.  (Without
# truncation=True Hugging Face would return more than 64; the ids are
# truncated here keeping EOS last, as big_vision does.)

def siglip2_ids(sp, text):
    text = ''.join(c.lower() for c in text)
    ids = sp.EncodeAsIds(text)
    return ids[:SIGLIP_CONTEXT - 1] + [sp.eos_id()]


def write_siglip2(model_path, cases, out_path):
    sp = spm.SentencePieceProcessor(model_file=model_path)
    rows = []
    for c in cases:
        if isinstance(c, bytes):
            continue
        rows.append(json.dumps({'text': c, 'ids': siglip2_ids(sp, c)}, ensure_ascii=False))
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write('{"model": "%s", "generator": "tools/make-spm-goldens.py", "wrapping": '
                '"Siglip2Tokenizer lower case + GemmaTokenizerFast(add_eos_token) + '
                'padding=max_length, max_length=64; the ids before the padding (<pad>)", '
                '"cases": [\n' % os.path.basename(model_path))
        f.write(',\n'.join(rows))
        f.write('\n]}\n')
    return len(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', 'tests',
                                                  'data', 'spm'))
    ap.add_argument('--full-nfkc', metavar='DIR')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    r = random.Random(13)
    lines = corpus(r, 12000)
    cases = test_strings(random.Random(2013))
    # De-duplicate, keeping the order.
    seen = set()
    cases = [c for c in cases if not (c in seen or seen.add(c))]

    chars = set(''.join(lines))
    for c in cases:
        chars.update(c.decode('utf-8', 'replace') if isinstance(c, bytes) else c)
    chars.discard('\0')
    chars.update(chr(c) for c in range(1, 0x20))   # (NUL cannot be a trie key)
    chars.update(chr(0x7f))
    chars.update(COMPAT)
    chars.update(chr(c) for c in range(0xff01, 0xff5f))     # full-width ASCII
    chars.update(chr(c) for c in range(0xff61, 0xffa0))     # half-width katakana
    chars.update(chr(c) for c in range(0x2460, 0x2474))     # circled numbers
    chars.update(chr(c) for c in range(0xfb00, 0xfb07))     # ligatures
    chars.update(chr(c) for c in range(0xc0, 0x180))        # Latin-1 and Extended-A
    chars.update(chr(c) for c in range(0x2000, 0x200c))     # spaces
    rules = rule_table(chars)

    # The rule table is kept next to the model (the trainer records its
    # path: relative, the same bytes on every run).
    write_rules(os.path.join(args.out, 'unigram-rules.tsv'), rules)
    cwd = os.getcwd()
    os.chdir(args.out)
    try:
        uni = os.path.join(args.out, 'unigram.model')
        train(lines, os.path.join(cwd, args.out, 'unigram'), model_type='unigram',
              vocab_size=2000, normalization_rule_tsv='unigram-rules.tsv',
              character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
              user_defined_symbols=['<extra_id_0>', '<extra_id_1>', 'photo'])
    finally:
        os.chdir(cwd)
    bpe = train(lines, os.path.join(args.out, 'bpe'), model_type='bpe', vocab_size=2000,
                normalization_rule_name='identity', add_dummy_prefix=False,
                remove_extra_whitespaces=False, byte_fallback=True, split_digits=True,
                allow_whitespace_only_pieces=True, character_coverage=0.9995,
                user_defined_symbols=['<start_of_turn>', '<end_of_turn>', '▁▁', '▁▁▁'],
                pad_id=0, eos_id=1, bos_id=2, unk_id=3)
    for path, name in ((uni, 'unigram'), (bpe, 'bpe')):
        n = write_goldens(path, cases, os.path.join(args.out, name + '-ids.json'))
        print('%s: %d bytes, %d cases' % (path, os.path.getsize(path), n))

    siglip_cases = cases + ['A Photo of a Dog!', 'photo,of:a(dog)', '  leading spaces',
                            'trailing   ', '\u2581x\u2581 y', 'ΟΔΟΣ', 'Σ', 'ΣΑΣ.', 'İSTANBUL',
                            'ÉCOLE', 'Straße', "it's a dog's life", '#1 #hashtag @user',
                            '«quoted» “curly” ¿qué?', 'tab\tand\nnewline', 'x\u3000y\u00a0z',
                            '\u2028\u2029\x1c\x1d', 'Ⅻ ⅻ Ⅳ', 'Ⓐⓑ Ⓩ', 'ΑΣ.Σ', 'ΑΣ\u0301Β',
                            'Ａ\u030a', 'ǅ ǈ Ǉ', 'ẞ ß', 'I İ ı i']
    n = write_siglip(uni, siglip_cases, os.path.join(args.out, 'unigram-siglip-ids.json'))
    print('unigram-siglip-ids.json: %d cases' % n)
    n = write_siglip2(bpe, siglip_cases, os.path.join(args.out, 'bpe-siglip2-ids.json'))
    print('bpe-siglip2-ids.json: %d cases' % n)
    n = write_crafted(os.path.join(args.out, 'crafted.json'))
    print('crafted.json: %d models, %d cases' % (len(CRAFTED), n))

    # Seeds for tests/fuzz/fuzz-spm.c: uint32 model length, model, text.
    seeds = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fuzz',
                         'corpus', 'fuzz-spm')
    os.makedirs(seeds, exist_ok=True)
    for path, name, text in ((uni, 'unigram', 'Ｆｕｌｌ-width ﬁ ① café\u00a0 naïve'),
                             (bpe, 'bpe', 'digits 12345 <start_of_turn>  x ☃ 東京')):
        with open(path, 'rb') as f:
            model = f.read()
        with open(os.path.join(seeds, 'seed-' + name), 'wb') as f:
            f.write(len(model).to_bytes(4, 'little') + model + text.encode())

    if args.full_nfkc:
        os.makedirs(args.full_nfkc, exist_ok=True)
        full = train(lines, os.path.join(args.full_nfkc, 'unigram'), model_type='unigram',
                     vocab_size=2000, normalization_rule_name='nmt_nfkc',
                     character_coverage=0.9995, pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
        n = write_goldens(full, cases, os.path.join(args.full_nfkc, 'unigram-ids.json'))
        print('%s: %d bytes, %d cases' % (full, os.path.getsize(full), n))


if __name__ == '__main__':
    sys.exit(main())
