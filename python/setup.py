# SPDX-License-Identifier: MIT
"""pip install --no-build-isolation ./python (Debian's python3-cffi and python3-dev at build
time; libs7plus found as s7plus_build.py says: S7PLUS_INCLUDE_DIR/S7PLUS_LIBRARY_DIR,
pkg-config, or the repository's build/)."""
from setuptools import setup

setup(
    name="s7plus",
    version="0.1.0",
    description="Siemens S7-1200/S7-1500 PLCs over S7CommPlus: Python binding of libs7plus",
    license="MIT",
    packages=["s7plus"],
    package_data={"s7plus": ["py.typed"]},
    python_requires=">=3.9",
    setup_requires=["cffi>=1.15"],
    install_requires=["cffi>=1.15"],
    cffi_modules=["s7plus_build.py:ffibuilder"],
    zip_safe=False,
)
