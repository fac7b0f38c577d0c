{
  "variables": {
    "rc_openblas%": "<!(node detect-blas.cjs)"
  },
  "targets": [
    {
      "target_name": "reccompile_native",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/scan.cc", "src/conv.cc", "src/linear_ce.cc", "src/gru.cc", "src/pool.cc", "src/elementwise.cc"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++14"],
      "cflags": ["-O3", "-Wall", "-Wno-unknown-pragmas"],
      "cflags_cc": ["-O3", "-std=c++17", "-Wall", "-Wno-unknown-pragmas", "-fno-math-errno", "-fno-trapping-math"],
      "conditions": [
        ["OS=='linux'", {
          "cflags_cc": ["-fopenmp"],
          "ldflags": ["-fopenmp"],
          "conditions": [
            ["target_arch=='x64' or target_arch=='ia32'", { "cflags_cc": ["-march=native", "-mtune=native"] }],
            ["target_arch=='arm64'", { "cflags_cc": ["-mcpu=native"] }]
          ]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_OPTIMIZATION_LEVEL": "3",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno", "-fno-trapping-math", "-Wno-unknown-pragmas"]
          }
        }],
        ["rc_openblas==1", {
          "defines": ["RC_HAVE_OPENBLAS=1"],
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
