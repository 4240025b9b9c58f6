// Help texts: `nabla --help`, `nabla <command> --help`.

export const MAIN_HELP = `nabla — train and use fully-connected neural networks from the command line

Usage:
  nabla train [options]                 train a network (default: Nielsen's chapter-1 MNIST run)
  nabla eval <model.json> [--data …]    the task's metrics (accuracy and confusion matrix, or
                                        mse/mae/r2) and the cost of a saved network
  nabla predict <model.json> <input>…   what a saved network predicts for an image, array or CSV row
  nabla export <model.json> --format onnx|tfjs   the network for ONNX Runtime, PyTorch or TF.js
  nabla help [command]                  this text, or a command's options

Try:
  nabla train                                   30 epochs of [784, 30, 10] on 8,000 MNIST digits
  nabla train --epochs 5 --save digits.json     ... 5 epochs, keeping the result
  nabla eval digits.json                        evaluate it on the 2,000 held-out digits
  nabla predict digits.json my-digit.pgm        classify a 28×28 grayscale image
  nabla train --resume digits.json --epochs 5 --save digits.json   5 more epochs, exactly as if never stopped
  nabla train --data prices.csv --label price --save prices.json   regression (a numeric target column)

Datasets (--data): mnist (default), fashion-mnist[:<dir>],
  idx:<images>,<labels>[,<test images>,<test labels>], csv:<file>[,<test file>] (--label <column>).

Exit codes: 0 done, 1 error while running (bad file, divergence), 2 bad command line,
130 stopped by Ctrl-C.
Run 'nabla <command> --help' for a command's options. Documentation: docs/cli.md.
`;

export const TRAIN_HELP = `nabla train — train a network and print one line per epoch

Usage: nabla train [options]

With no options this is Nielsen's chapter-1 run: [784, 30, 10], sigmoid, quadratic cost,
mini-batches of m = 10, learning rate η = 3.0, 30 epochs, on the mnist package's 10,000
digits split 8,000 train / 2,000 test. Each epoch prints
  Epoch 3: 1868 / 2000  cost 0.0251  test cost 0.0213  0.85 s  9400 samples/s
(test samples right / total, mean training cost, mean test cost, time, speed; regression:
r2, mse and mae instead of right / total). A run that looks collapsed (accuracy at chance,
cost stuck with saturated outputs) gets a "warning:" line on stderr naming the likely cause.
Ctrl-C stops at the end of the epoch in progress (and saves, with --save); an epoch is not
interrupted in the middle. Ctrl-C twice quits without saving.

Data:
  --data <spec>            mnist (default) | fashion-mnist | fashion-mnist:<dir>
                           | idx:<images>,<labels>[,<test images>,<test labels>]
                             (IDX files, plain or .gz)
                           | csv:<file>[,<test file>]  (or just <file>.csv)
  --label <column>         CSV label column: header name or 0-based index (default: the last;
                           write a negative index as --label=-1); several, comma-separated
                           (--label a,b,c), are target columns: multi-label when they hold only
                           0 and 1, else several regression targets
  --header, --no-header    CSV: force the first row to be / not be a header (default: detected)
  --standardize, --no-standardize
                           CSV: z-score the features with the training part's mean and standard
                           deviation, saved with the model (default: on)
  --test-fraction <f>      hold out this fraction for testing when the data has no test part
                           (default 0.2, a fixed shuffle; 0 = train on everything, no test lines)
  --train-size <n>         use only the first n training samples (mnist: the split's sizes)
  --test-size <n>          use only the first n test samples
  --task <t>               what is inferred is printed on a "task:" line; one of
                           classification (each label a class; the default for class labels),
                           binary (two classes, one sigmoid output: P(second class)),
                           multi-label (several 0/1 CSV columns, one sigmoid output each),
                           regression (CSV: a numeric target, linear output; inferred when the
                           target column holds numbers that are not all integers)

Network:
  --hidden <n,n,…>         hidden layer sizes (default 30); input and output sizes come from
                           the data
  --sizes <n,n,…>          or all layer sizes, e.g. 784,100,10
  --activation <a>         hidden activation: sigmoid (default), tanh, relu, leaky-relu, linear,
                           or one per hidden layer: relu,tanh
  --output <a>             output activation (default: linear for regression, softmax with
                           --cost log-likelihood, else sigmoid)
  --cost <c>               quadratic (default), cross-entropy (sigmoid output),
                           log-likelihood (softmax output)
  --init <i>               scaled N(0,1/√n_in) (default), nielsen N(0,1), glorot, he
  --init-from <file>       start from a saved network instead: nabla model.json, model.onnx or
                           a TF.js model directory (the architecture comes from the file)
  --dropout <p>            inverted dropout in training: p for every hidden layer, or one per
                           hidden layer (0.5,0.2); off in eval and predict (default: none)
  --seed <n>               seed of the initial weights and the shuffling (default 1: runs
                           repeat exactly)
  --backend <b>            wasm (default: the best WebAssembly build this engine runs),
                           wasm-relaxed, wasm-simd, wasm-scalar, js (plain JavaScript),
                           auto (wasm, or js where WebAssembly is unavailable)
  --threads <n>            threads computing: auto (default: the cores reported, at most
                           16) or 1 to 256; results are the same for every count

Training:
  --epochs <n>             epochs (default 30)
  --batch <m>              mini-batch size m (default 10)
  --eta <η>                learning rate (default: the library's table by optimizer and network,
                           docs/algorithms.md "Defaults": 3.0 for sgd on sigmoid/quadratic,
                           0.1 with softmax or a linear output, 0.001 for adam)
  --optimizer <o>          sgd (default), momentum, adam
  --momentum <μ>           momentum coefficient for --optimizer momentum (default 0.9)
  --lambda <λ>             L2 regularization: w → (1−ηλ/n) w − (η/m) Σ∇w (default 0)
  --l1 <λ>                 L1 regularization (default 0)
  --early-stopping <n>     stop after n epochs without a better test accuracy (regression: test
                           cost) (default: off)
  --restore-best, --no-restore-best
                           at the end, put back the weights of the epoch with the best test
                           accuracy (regression: test cost) (default: on with --early-stopping)
  --validation-split <f>   hold out the last fraction f of the training part as validation data:
                           the epoch lines, early stopping and the schedule watch it, and the
                           test part is evaluated once, at the end (default: watch the test part)
  --schedule <n>           halve η after n epochs without a better test accuracy; stop when it
                           falls below η/128 (network2.py's schedule; default: off)
  --shuffle, --no-shuffle  shuffle the training data anew each epoch (default), or keep its order
  --monitor                also measure accuracy and cost on the training data after each epoch

Resuming:
  --resume <model.json>    continue training a saved network: weights, optimizer state and
                           generator from the file, so 2 + 2 epochs give the same network as 4;
                           batch, η, λ and the optimizer default to the file's; the network
                           flags (--hidden, --task, …) are fixed by it; --epochs counts new epochs

Output:
  --save <model.json>      save the trained network (and what eval/predict need to know
                           about the data); above 4 M parameters, or for a name ending in
                           .nabla, in nabla's binary form as <model>.nabla
  --weights-only           save without the optimizer state (momentum, Adam's moments): with
                           Adam ≈ 3× smaller; it predicts the same, but --resume restarts the
                           optimizer from zero
  --quiet, -q              print only the final summary
  --json                   one JSON object per epoch on stdout (other messages go to stderr)
  --help, -h               this text

Examples:
  nabla train --epochs 10 --save mnist.json
  nabla train --data fashion-mnist --hidden 256,128 --activation relu --cost log-likelihood \\
              --init he --optimizer adam --eta 0.0005 --batch 64 --epochs 30 --save fashion.json
  nabla train --data csv:iris.csv --label species --hidden 8 --cost log-likelihood \\
              --eta 0.1 --epochs 100 --save iris.json
  nabla train --data line.csv --label y --hidden 8 --epochs 50 --save line.json    (regression)
  nabla train --resume mnist.json --epochs 10 --save mnist.json
`;

export const EVAL_HELP = `nabla eval — the task's metrics and mean cost of a saved network

Usage: nabla eval <model.json> [options]

By default the model is evaluated on the test part of the data it was trained on, when that
is mnist or fashion-mnist (the model file records the --data it was trained with, its class
names and CSV standardization). A model file is untrusted: it never chooses files to read, so
for a model trained on idx:… or csv:… files give --data (the message says which).

Options:
  --data <spec>            other data, as for train (mnist, fashion-mnist[:<dir>], idx:…, csv:…)
  --split <s>              test (default), train, or all
  --label, --header/--no-header, --test-fraction, --train-size, --test-size   as for train
  --standardize, --no-standardize
                           CSV, for a model file without saved standardization (one saved
                           by the library, not by nabla train): z-score from the training part
  --backend <b>            as for train
  --json                   one JSON object: task, total, cost and the task's metrics (correct,
                           accuracy, confusion, classNames; or mse, mae, r2)
  --help, -h               this text

Classification: accuracy and the confusion matrix, a row per true class and a column per
predicted class (n_out × n_out; binary: 2 × 2, threshold 0.5). Regression: mse, mae and r2
(no accuracy).

Example:
  nabla eval mnist.json
  nabla eval fashion.json --data idx:t10k-images-idx3-ubyte.gz,t10k-labels-idx1-ubyte.gz \\
             --test-fraction 0 --split all
`;

export const PREDICT_HELP = `nabla predict — what a saved network predicts for each input

Usage: nabla predict <model.json> <input>… [options]

Each input is a file or literal text (other formats, e.g. PNG, are refused: convert to PGM):
  digit.pgm                a PGM image (P2 or P5) of the dataset's shape, e.g. 28×28; pixels
                           are scaled to [0, 1] by the image's maxval (white = 1: MNIST digits
                           are white on black)
  '[0, 0.5, …]'            a JSON array of n_in numbers, or an array of such arrays
                           (file or literal)
  5.1,3.5,1.4,0.2          a CSV row (file or literal); a CSV file may hold many rows, and if
                           it has a header, a CSV-trained model picks its columns by name
  -                        standard input (JSON or CSV)
A literal that starts with a minus sign goes after --:  nabla predict m.json -- -1.5,0.2,3,4
JSON and CSV values are raw features: the network applies its own preprocessing (a CSV-trained
model's z-scores), as Network.fromJSON(model).predict does; an image model expects pixels in [0, 1].

Options:
  --top <k>                how many classes to list with their outputs (default 3)
  --json                   one JSON object per input: input, class, name (binary: probability;
                           regression: values), outputs (the float32 outputs, exactly)
  --backend <b>            as for train
  --help, -h               this text

Prints, per input:  digit.pgm: 7   (7 0.981, 9 0.012, 2 0.004)
binary:             row 2: yes   (P(yes) = 0.912)
regression:         row 2: 3.14159
`;

export const EXPORT_HELP = `nabla export — a saved network for other engines (ONNX Runtime, PyTorch, TF.js)

Usage: nabla export <model.json> --format onnx|tfjs [--out <file or directory>]

  --format onnx            one .onnx file (IR 8, opset 13): Gemm + activation per layer, input
                           "input" [N, n_in], output "output" [N, n_out]
  --format tfjs            a directory with model.json and weights.bin (a Sequential of Dense
                           layers) for tf.loadLayersModel
  --out <path>             where to write (default: model.onnx or model-tfjs/ next to the input)
  --help, -h               this text

A CSV model's standardization goes along (Sub/Div nodes; a BatchNormalization layer), so the
exported model takes raw features. See docs/interop.md.

Examples:
  nabla export iris.json --format onnx --out iris.onnx
  nabla export mnist.json --format tfjs --out web/mnist
`;

export const HELP: Record<string, string> = { train: TRAIN_HELP, eval: EVAL_HELP, predict: PREDICT_HELP, export: EXPORT_HELP };
