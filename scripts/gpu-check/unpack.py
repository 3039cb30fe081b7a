# Unpacker for run.sh that needs only python3 (xz, tar or dpkg may be missing on the GPU host).
#   unpack.py xz SRC DST     one .xz file -> DST (made executable)
#   unpack.py tarxz SRC DIR  .tar.xz -> DIR
#   unpack.py deb SRC DIR    a Debian .deb (ar archive with data.tar.*) -> DIR
import io, lzma, os, shutil, sys, tarfile

mode, src, dst = sys.argv[1:4]
if mode == "xz":
    with lzma.open(src) as f, open(dst + ".part", "wb") as o:
        shutil.copyfileobj(f, o, 1 << 22)
    os.chmod(dst + ".part", 0o755)
    os.replace(dst + ".part", dst)
elif mode == "tarxz":
    with tarfile.open(src, "r:xz") as t:
        t.extractall(dst)
elif mode == "deb":
    data = open(src, "rb").read()
    if data[:8] != b"!<arch>\n":
        sys.exit("not an ar archive: " + src)
    pos = 8
    while pos < len(data):
        name = data[pos:pos + 16].decode().strip().rstrip("/")
        size = int(data[pos + 48:pos + 58].decode().strip())
        body = data[pos + 60:pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as t:
                t.extractall(dst)
            break
    else:
        sys.exit("no data.tar in " + src)
else:
    sys.exit("unknown mode " + mode)
