"""Engine errors in the reader's language.

The engine's errors for users (engine.messages.UserError: UploadError, SequenceError,
CheckpointError) carry a `code` and the `values` they name; a value may itself be a Phrase
(a place in a file: "data.csv, line 3, column 2") or several Joined. What reading a file did
(engine.uploads.Sequence.notes) is a Note: a str in English, with a code and values too.
This module holds the English template of every code (marked N_ for Babel; the same words
the engine's str() gives) and says an error with `_()` in the session's language:
`say(err)`. A code missing from the table, or a translation that cannot be filled, falls back
to the engine's English message, never to a crash. tests/test_errors.py checks that every
code the engine raises is here with the same placeholders.

For markdown (st.error, st.caption) every part is escaped with markup.md: the values (file
names, column names, what a cell holds) are the user's, and the templates hold brackets,
underscores and backticks that are words, not markup.
"""

from __future__ import annotations

import string

from engine.messages import Joined, Note, Phrase, UserError
from i18n import N_, _, is_chinese
from markup import md

# code -> the English template (engine.messages.Phrase.template), translated where shown
MESSAGES: dict[str, str] = {
    # attention
    "attention.empty": N_("the text is empty: type a date, e.g. “November 2, 2026”"),
    "attention.too_long": N_("the text has {count:,} characters; the models read at most "
                             "{limit} (a written date is at most 27)"),
    # charlm
    "charlm.empty": N_("the text is empty: type at least one character"),
    "charlm.too_long": N_("the text has {count:,} characters; the most this lab reads is "
                          "{limit:,}"),
    # checkpoint.store
    "checkpoint.store.cannot_build_model_config":
        N_("cannot build a {model_type!r} model from its config: {err}"),
    "checkpoint.store.cannot_read": N_("cannot read {weights_path}: {err}"),
    "checkpoint.store.checkpoint_config":
        N_("no checkpoint config at {json_path}"),
    "checkpoint.store.does_match_sha_changed":
        N_("{weights_path} does not match the SHA-256 in {json_path} (changed since it was "
           "saved)"),
    "checkpoint.store.file": N_("{json_path} is not an {format} file"),
    "checkpoint.store.invalid": N_("{json_path}: invalid {kind}: {err}"),
    "checkpoint.store.metrics_data_must_plain":
        N_("metrics and data must be plain JSON: {err}"),
    "checkpoint.store.missing": N_("{json_path}: {key!r} missing or not a {kind}"),
    "checkpoint.store.tensor_list": N_("{json_path}: config and tensor list disagree"),
    "checkpoint.store.tensors_float":
        N_("{weights_path}: tensors {bad} are not float32"),
    "checkpoint.store.unknown_model_type_valid":
        N_("{json_path}: unknown model type {model_type!r}; valid: {value}"),
    "checkpoint.store.unsupported_version_this_code":
        N_("{json_path}: unsupported version {meta!r} (this code reads {version})"),
    "checkpoint.store.valid_json": N_("{json_path} is not valid JSON: {err}"),
    "checkpoint.store.weights_file": N_("no weights file at {weights_path}"),
    # checkpoint.tensors
    "checkpoint.tensors.disagree": N_("{where}: {problems}"),
    "checkpoint.tensors.mismatch": N_("{name}: expected {expected}, got {got}"),
    "checkpoint.tensors.mismatches": N_("shape mismatch {mismatches}"),
    "checkpoint.tensors.missing": N_("missing {names}"),
    "checkpoint.tensors.unexpected": N_("unexpected {names}"),
    # checkpoint.user
    "checkpoint.user.bidirectional": N_(", bidirectional"),
    "checkpoint.user.broken_torch_save_file":
        N_("{filename} is a broken torch.save file: {err}"),
    "checkpoint.user.bytes_too_short_safetensors":
        N_("{filename} is {size} bytes: too short for a safetensors file (an 8-byte header "
           "size, a JSON header, the tensors)."),
    "checkpoint.user.contains_nan_inf_weights":
        N_("{filename}: {prefix}{name} contains NaN or Inf; the weights must be finite "
           "numbers."),
    "checkpoint.user.could_loaded_plain_weights":
        N_("{filename} could not be loaded as plain weights (torch.load with "
           "weights_only=True refused it: {first}). Only tensors in dicts are read, never "
           "other Python objects. {export_hint}"),
    "checkpoint.user.could_read_safetensors":
        N_("{filename} could not be read as safetensors: {err}"),
    "checkpoint.user.dtype_expected_floating_point":
        N_("{filename}: {prefix}{name} has dtype {dtype}; expected floating-point weights."),
    "checkpoint.user.empty": N_("{filename} is empty. {export_hint}"),
    "checkpoint.user.expected_file_s_bytes":
        N_("expected the file's bytes, got {kind}"),
    "checkpoint.user.export_hint": N_("Export a torch.nn.LSTM, GRU or RNN with `from "
                                      "safetensors.torch import save_file; "
                                      "save_file(model.state_dict(), 'model.safetensors')` "
                                      "(or `torch.save(model.state_dict(), 'model.pt')`)."),
    "checkpoint.user.for_model": N_("{filename}: for {what}, found"),
    "checkpoint.user.found_recurrent_layers_under":
        N_("{filename}: found recurrent layers under several prefixes ({prefixes}); expected "
           "one recurrent module."),
    "checkpoint.user.found_tensors_none_named":
        N_("{filename}: found tensors [{shown}] but none named like a torch.nn.LSTM / GRU / "
           "RNN layer; expected weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 "
           "(optionally under a prefix such as 'rnn.'). {export_hint}"),
    "checkpoint.user.header_size": N_("{filename}: the header size field says {size:,} bytes, "
                                      "but the file has {body:,} bytes after it (and headers "
                                      "up to {limit:,} bytes are read); this is not a "
                                      "safetensors file, or it is corrupt. {export_hint}"),
    "checkpoint.user.holds_records_most_read":
        N_("{filename} holds {records:,} records; at most {limit} are read."),
    "checkpoint.user.holds_state_dict_dict":
        N_("{filename} holds {kind}, not a state_dict (a dict of tensor names to tensors). "
           "{export_hint}"),
    "checkpoint.user.holds_tensors_expected_state":
        N_("{filename} holds no tensors; expected the state_dict of a torch.nn.LSTM, GRU or "
           "RNN. {export_hint}"),
    "checkpoint.user.holds_tensors_most_read":
        N_("{filename} holds {tensors:,} tensors; at most {limit} are read."),
    "checkpoint.user.layers": N_("{count} layers"),
    "checkpoint.user.layers_units_reading_inputs":
        N_("{filename}: {num_layers} layers of {hidden} units reading {input_size} inputs; at "
           "most {max_layers} layers and sizes up to {max_size} are accepted."),
    "checkpoint.user.layout": N_("{err} (names and shapes of torch.nn.{kind}'s state_dict)"),
    "checkpoint.user.layout_after_prefix":
        N_("{err} (names after the prefix {prefix!r} and shapes of torch.nn.{kind}'s "
           "state_dict)"),
    "checkpoint.user.lstm_proj_size_weight":
        N_("{filename}: an LSTM with proj_size (weight_hr_l0) was found; LSTMs without a "
           "projection are supported."),
    "checkpoint.user.mb_checkpoints_up_mb":
        N_("{filename} is {size:.1f} MB; checkpoints up to {limit} MB are accepted."),
    "checkpoint.user.missing": N_("missing"),
    "checkpoint.user.model_found": N_("a {kind} with {hidden} hidden units, "
                                      "{layers}{bidirectional}{bias}"),
    "checkpoint.user.no_bias": N_(", no bias"),
    "checkpoint.user.no_extension": N_("{filename} has no extension; checkpoints are read "
                                       "from {suffixes} files. {export_hint}"),
    "checkpoint.user.one_layer": N_("1 layer"),
    "checkpoint.user.record_compressed_bytes_torch":
        N_("{filename}: record {record!r} is compressed or {size:,} bytes; torch.save writes "
           "uncompressed records of the file's own size, so this file was not written by "
           "torch.save."),
    "checkpoint.user.safetensors_header_json_object":
        N_("{filename}: the safetensors header is not a JSON object."),
    "checkpoint.user.safetensors_header_valid_json":
        N_("{filename}: the safetensors header is not valid JSON; the file is corrupt or not "
           "safetensors. {export_hint}"),
    "checkpoint.user.tensor_dtype_expected_floating":
        N_("{filename}: tensor {name!r} has dtype {dtype!r}; expected floating-point weights "
           "({dtypes})."),
    "checkpoint.user.tensor_malformed_header_entry":
        N_("{filename}: tensor {name!r} has a malformed header entry {entry}; expected dtype, "
           "shape and data_offsets."),
    "checkpoint.user.tensor_shape_needs_bytes":
        N_("{filename}: tensor {name!r} (shape {shape}, {dtype}) needs {need:,} bytes but its "
           "offsets [{start}, {stop}] point outside the {body:,} bytes of data or disagree "
           "with its size; the file is corrupt."),
    "checkpoint.user.torch_save_zip_file":
        N_("{filename} is not a torch.save zip file (the format torch has written since 1.6); "
           "older or other pickle files are never loaded. {export_hint}"),
    "checkpoint.user.weight_hh_l_shape":
        N_("{filename}: {prefix}weight_hh_l0 has shape {shape}; expected [G*H, H] with G = 4 "
           "(LSTM), 3 (GRU) or 1 (RNN)."),
    "checkpoint.user.weight_ih_l_weight":
        N_("{filename}: {prefix}weight_ih_l0 and {prefix}weight_hh_l0 must be 2-D matrices; "
           "found {ih} and {hh}."),
    "checkpoint.user.wrong_extension":
        N_("{filename} has {suffix!r}; checkpoints are read from {suffixes} files. "
           "{export_hint}"),
    "checkpoint.user.zip_file_torch_save":
        N_("{filename} is a zip file but not a torch.save file (no data.pkl record). "
           "{export_hint}"),
    # ctc
    "ctc.all_minus_inf": N_("row {row} (frame {row}) is all −inf: as log-probabilities it "
                            "must logsumexp to 0."),
    "ctc.blank_in_target": N_("the target contains the blank label {blank}; the blank cannot "
                              "be part of a target."),
    "ctc.count_too_much": N_("counting the alignments of {frames:,} frames × {states:,} "
                             "states ({nodes:,} nodes) is too much work: at most {limit:,} "
                             "nodes (fewer frames or a shorter target)."),
    "ctc.empty_matrix": N_("{name} needs at least one frame and one class, got shape {shape}."),
    "ctc.logsumexp": N_("row {row} (frame {row}) has logsumexp {total:.6g}: read as "
                        "log-probabilities (entries <= 0), every row must logsumexp to 0 (its "
                        "probabilities must sum to 1)."),
    "ctc.mixed_signs": N_("row {row} (frame {row}) mixes negative and positive entries: give "
                          "probabilities (all >= 0, rows sum to 1) or log-probabilities (all "
                          "<= 0, rows logsumexp to 0)."),
    "ctc.not_2d": N_("{name} must be 2-D [T, C] (frames × classes), got shape {shape}."),
    "ctc.not_a_number": N_("row {row} (frame {row}), class {c} of {name} is {value}; entries "
                           "must be numbers (−inf is allowed for log-probability 0)."),
    "ctc.not_numbers": N_("{name} must be a matrix of numbers [T, C]: {error}"),
    "ctc.row_sum": N_("row {row} (frame {row}) sums to {total:.6g}: read as probabilities "
                      "(all entries >= 0), every row must sum to 1."),
    "ctc.too_far_to_list": N_("only the first {limit:,} alignments can be listed (asked for "
                              "number {stop:,}): each is reached by walking through the ones "
                              "before it."),
    # ctc.value
    "ctc.value.posteriors": N_("the posterior matrix"),
    # digits
    "digits.grey": N_("{midtones:.0%} of the picture is grey between ink and paper (at most "
                      "{limit:.0%}): it looks like a photo or noise, not digits on plain "
                      "paper."),
    "digits.little_ink": N_("only {ink:.1%} of the picture is ink (at least {limit:.0%} is "
                            "needed): write the digits larger or crop the empty paper around "
                            "them."),
    "digits.much_ink": N_("{ink:.0%} of the picture is ink (at most {limit:.0%}): digits are "
                          "strokes on plain paper."),
    "digits.one_shade": N_("the picture is almost one shade (contrast {contrast:.0%}; at "
                           "least {limit:.0%} is needed): nothing is written on it."),
    "digits.several_lines": N_("the picture holds {lines} separate lines of writing; a digit "
                               "strip is one line (at most {limit} bands): it looks like text "
                               "or a screenshot."),
    "digits.too_narrow": N_("the picture is {w} x {h} pixels, narrower than one digit: a "
                            "strip is at least {limit:g} times as wide as it is tall."),
    "digits.too_short": N_("the picture is {w} x {h} pixels: a digit strip needs at least "
                           "{limit} pixel rows."),
    "digits.too_tall": N_("the picture is {w} x {h} pixels, taller than a strip of digits "
                          "({limit} pixels at most): it looks like a page or a screenshot. "
                          "Crop it to one line of digits, or scale it down."),
    "digits.too_wide": N_("the picture is {w} x {h} pixels, {ratio:.0f} times as wide as it "
                          "is tall; a strip may be at most {limit:g} times as wide ({frames} "
                          "frames once scaled to {rows} rows). Cut it into shorter strips."),
    # grad_norms
    "grad_norms.compare_too_much_work":
        N_("{steps:,} steps of {units:,} units is {work:,} multiply-adds for the LSTM; "
           "gradient norms are computed up to {limit:,}. Use fewer steps or units."),
    "grad_norms.overflow": N_("the hidden states grow beyond 10^308, so this loss cannot be "
                              "evaluated (the default loss, the sum of h_T, can)"),
    "grad_norms.too_much_work": N_("this model on {steps:,} steps is {work:,} multiply-adds "
                                   "of work; gradient norms are computed up to {limit:,} "
                                   "(steps × layers × directions × gates × units × (units + "
                                   "inputs)). Use a shorter sequence or a smaller model."),
    # slots
    "slots.empty": N_("The sentence is empty: type a few words, e.g. “arrive Taipei on "
                      "November 2nd”."),
    "slots.too_long": N_("The sentence has {count} words; at most {limit} are tagged here."),
    # trace
    "trace.empty": N_("the sequence is empty: it needs at least one step"),
    "trace.too_much": N_("stepping this model through {steps:,} steps would record {count:,} "
                         "numbers ({units} units × {layers} layer(s) × {directions} "
                         "direction(s), every gate and memory at every step); the stepper "
                         "records at most {limit:,}. Use fewer steps, units or layers."),
    "trace.wrong_shape": N_("the sequence must have shape [T, {width}] (T steps of {width} "
                            "features, this model's input size), got shape {shape}"),
    # uploads.arrays
    "uploads.arrays.bad_shape": N_("{where} has shape {shape}; expected [T], [T, F] or [N, T, "
                                   "F] (N sequences of T steps with F features)."),
    "uploads.arrays.broken_header": N_("{where} has a broken header: {kind}: {err}"),
    "uploads.arrays.corrupt": N_("{where} is corrupt and cannot be unpacked ({kind}: {err})."),
    "uploads.arrays.cut_short": N_("{what} is cut short: expected {expected:,} bytes of data, "
                                   "found {found:,}."),
    "uploads.arrays.encrypted": N_("{where} is encrypted; save the arrays with np.savez."),
    "uploads.arrays.header_cut_short":
        N_("{where} is cut short inside its header."),
    "uploads.arrays.header_too_large":
        N_("{where} declares a {size:,}-byte header; at most {limit:,} bytes are read."),
    "uploads.arrays.no_arrays": N_("{filename} holds no arrays: it needs at least one "
                                   "sequence."),
    "uploads.arrays.not_npy": N_("{where} is not a NumPy .npy array (its first bytes are not "
                                 "the \\x93NUMPY signature)."),
    "uploads.arrays.not_npz": N_("{filename} is not an .npz archive (a zip of .npy arrays): "
                                 "{err}"),
    "uploads.arrays.not_numbers": N_("{where} has dtype {dtype} ({kind!r}); only real numbers "
                                     "(float, int, bool) are accepted."),
    "uploads.arrays.npy_version": N_("{where} uses .npy format version {major}.{minor}; "
                                     "versions 1.0-3.0 are read."),
    "uploads.arrays.npz_member_not_npy":
        N_("{where} is not an .npy array; an .npz holds only .npy files (np.savez)."),
    "uploads.arrays.npz_too_many_sequences":
        N_("{filename} holds more than {limit:,} sequences."),
    "uploads.arrays.objects": N_("{where} holds {what} (dtype {dtype}); only plain numbers "
                                 "(float, int, bool) are accepted, and nothing is ever "
                                 "unpickled."),
    "uploads.arrays.too_many_arrays":
        N_("{filename} holds {files:,} files; at most {limit:,} arrays are accepted."),
    "uploads.arrays.too_many_numbers":
        N_("{where} (shape {shape}) holds {total:,} numbers; at most {limit:,} are accepted "
           "in one file, all arrays together."),
    "uploads.arrays.too_many_sequences":
        N_("{where} has shape {shape}: {sequences:,} sequences; expected 1 to {limit:,}."),
    # uploads.common
    "uploads.common.no_features": N_("{where} has no features: every step needs at least one "
                                     "number."),
    "uploads.common.no_steps": N_("{where} has no steps: a sequence needs at least one step."),
    "uploads.common.not_finite": N_("{where}: step {step}, feature {feature} is {what}; only "
                                    "finite numbers are accepted."),
    "uploads.common.too_many_features":
        N_("{where} has {features:,} features per step; at most {limit:,} are accepted."),
    "uploads.common.too_many_steps": N_("{where} has {steps:,} steps; at most {limit:,} are "
                                        "accepted (cut it into shorter sequences)."),
    # uploads.examples
    "uploads.examples.no_example": N_("no example for {ext!r}; formats: {supported}"),
    # uploads.media
    "uploads.media.broken_png": N_("{filename} is a broken or cut-short PNG: {err}"),
    "uploads.media.broken_sound": N_("{filename} is a broken or cut-short {kind} file ({why})."),
    "uploads.media.not_a_strip": N_("{name} is not a digit strip: expected {height} numbers "
                                    "per column (a PNG), found {features}."),
    "uploads.media.not_png": N_("{filename} is not a PNG image (wrong signature). Supported "
                                "formats: {supported}."),
    "uploads.media.not_wav": N_("{filename} is not a WAV file (it does not start with "
                                "RIFF...WAVE). Supported formats: {supported}."),
    "uploads.media.other_sound_format":
        N_("{filename} holds {kind} sound; formats read: {formats}."),
    "uploads.media.sample_rate": N_("{filename} has a sample rate of {rate:,} Hz; rates from "
                                    "{low:,} to {high:,} Hz are accepted."),
    "uploads.media.samples_not_finite":
        N_("{filename} holds samples that are not finite numbers (NaN or infinite)."),
    "uploads.media.too_long": N_("{filename} lasts {length:.1f} s, more than {limit:,} frames "
                                 "of {hop:g} ms; at most {limit:,} steps are accepted (about "
                                 "{seconds:.0f} s)."),
    "uploads.media.too_many_channels":
        N_("{filename} has {channels:,} channels; at most {limit} are read."),
    "uploads.media.too_many_pixels": N_("{filename} is {width} x {height} pixels; at most "
                                        "{limit:,} pixels are accepted."),
    "uploads.media.too_many_samples":
        N_("{filename} holds {samples:,} samples ({channels} channels of {seconds:.1f} s); at "
           "most {limit:,} are decoded."),
    "uploads.media.too_short": N_("{filename} is too short to read: {err} ({window:g} ms)."),
    "uploads.media.unreadable_sound":
        N_("{filename} could not be read as {kind} sound ({why}). Sound formats read: "
           "{formats}."),
    "uploads.media.wrong_signature": N_("{filename} is not a {kind} file (wrong signature). "
                                        "Sound formats read: {formats}."),
    # uploads.note
    "uploads.note.dates": N_("Column {column} holds dates or times: they label the steps."),
    "uploads.note.empty_column": N_("Empty column {names}: dropped."),
    "uploads.note.empty_columns": N_("Empty columns {names}: dropped."),
    "uploads.note.filled": N_("Filled {count:,} missing cells: linear interpolation along "
                              "time, then the nearest value at the ends."),
    "uploads.note.filled_one": N_("Filled 1 missing cell: linear interpolation along time, "
                                  "then the nearest value at the ends."),
    "uploads.note.id": N_("Column {column} looks like an id: dropped."),
    "uploads.note.long_format": N_("Column {column} names the sequence of each row: {count} "
                                   "sequences (long format)."),
    "uploads.note.long_format_one": N_("Column {column} names the sequence of each row: 1 "
                                       "sequence (long format)."),
    "uploads.note.mono": N_("{channels} channels mixed to mono."),
    "uploads.note.order": N_("Column {column} counts the steps: it gives their order, not a "
                             "feature."),
    "uploads.note.order_in_sequences":
        N_("Column {column} counts the steps inside each sequence: it gives their order, not "
           "a feature."),
    "uploads.note.other_dates": N_("Other date columns {names}: dropped."),
    "uploads.note.row_id": N_("Column {column} has a different value on every row: a row id, "
                              "dropped."),
    "uploads.note.row_index": N_("The unnamed first column holds whole numbers: read as a row "
                                 "index (as pandas' to_csv writes it), not a feature."),
    "uploads.note.separated": N_("Columns separated by {what}."),
    "uploads.note.separated_decimal_commas":
        N_("Columns separated by {what}, decimal commas (3,2 is 3.2)."),
    "uploads.note.text_column": N_("Text column {names}: not numbers, dropped."),
    "uploads.note.text_columns": N_("Text columns {names}: not numbers, dropped."),
    # uploads.place
    "uploads.place.column": N_("column {column}"),
    "uploads.place.json_path": N_("{where}, at {path}"),
    "uploads.place.line": N_("line {line}"),
    "uploads.place.line_column": N_("{filename}, line {row}, {column}"),
    "uploads.place.line_column_named":
        N_("{filename}, line {row}, {column} (“{name}”)"),
    "uploads.place.named_sequence": N_("{filename}, sequence {key!r}"),
    "uploads.place.npy_header": N_("{where}'s header"),
    "uploads.place.npz_array": N_("{filename}, array “{array}”"),
    "uploads.place.quoted": N_("“{name}”"),
    "uploads.place.row_column": N_("{filename}, row {row}, {column}"),
    "uploads.place.row_column_named":
        N_("{filename}, row {row}, {column} (“{name}”)"),
    "uploads.place.sequence": N_("{where}, sequence {number}"),
    "uploads.place.shaped": N_("{where} (shape {shape})"),
    "uploads.place.the_file": N_("The file"),
    "uploads.place.the_header": N_("the header"),
    "uploads.place.typed_cell": N_("step {step}, x{col}"),
    # uploads.reader
    "uploads.reader.empty": N_("{filename} is empty: it needs at least one step."),
    "uploads.reader.no_extension": N_("{filename} has no extension, so its format is unknown. "
                                      "Supported formats: {supported} (the extension says "
                                      "which one it is)."),
    "uploads.reader.no_sequence": N_("{filename} holds no sequence: it needs at least one "
                                     "step."),
    "uploads.reader.not_bytes": N_("expected the file's bytes, got {kind}"),
    "uploads.reader.too_large": N_("{filename} is {size:.1f} MB; files up to {limit} MB are "
                                   "accepted."),
    "uploads.reader.too_many_numbers":
        N_("{filename} holds more than {limit:,} numbers in all; split it into smaller files."),
    "uploads.reader.unknown_extension":
        N_("{filename} has “{ext}”, so its format is unknown. Supported formats: {supported} "
           "(the extension says which one it is)."),
    "uploads.reader.unknown_fill": N_("unknown way to fill gaps {fill!r}; valid: {valid}."),
    "uploads.reader.unreadable": N_("{filename} could not be read as {format}: {err}"),
    # uploads.spreadsheets
    "uploads.spreadsheets.broken_parquet":
        N_("{filename} is a broken Parquet file: {err}"),
    "uploads.spreadsheets.broken_xlsx":
        N_("{filename} is a broken Excel workbook ({kind}: {err})."),
    "uploads.spreadsheets.chart_sheet":
        N_("{filename}: the first sheet is a chart, not a table."),
    "uploads.spreadsheets.empty_sheet":
        N_("{filename}: the first sheet is empty; it needs one row per step."),
    "uploads.spreadsheets.encrypted":
        N_("{filename} is encrypted; save it without a password."),
    "uploads.spreadsheets.nested_column":
        N_("{filename}: column “{name}” holds {kind}; a table of numbers, text and dates is "
           "read (one value a cell)."),
    "uploads.spreadsheets.no_sheet": N_("{filename} has no sheet."),
    "uploads.spreadsheets.not_parquet":
        N_("{filename} is not a Parquet file (it does not start and end with PAR1)."),
    "uploads.spreadsheets.not_xlsx": N_("{filename} is not an Excel .xlsx workbook (an .xlsx "
                                        "file is a zip archive; old .xls files and "
                                        "password-protected workbooks are not read: save it "
                                        "as .xlsx or CSV)."),
    "uploads.spreadsheets.parquet_rows_disagree":
        N_("{filename} is a broken Parquet file: its metadata says {rows:,} rows, its data "
           "holds {found:,}."),
    "uploads.spreadsheets.too_many_cells":
        N_("{filename} has {rows:,} rows of {columns:,} columns; at most {limit:,} cells are "
           "read in one table."),
    "uploads.spreadsheets.too_many_cells_read":
        N_("{filename} has more than {limit:,} cells; at most that many are read in one table."),
    "uploads.spreadsheets.too_many_columns":
        N_("{filename} has {columns:,} columns; at most {limit:,} features per step are "
           "accepted."),
    "uploads.spreadsheets.too_many_members":
        N_("{filename} holds {files:,} files; an Excel workbook has at most {limit:,}."),
    "uploads.spreadsheets.too_many_row_groups":
        N_("{filename} has {groups:,} row groups; at most {limit:,} are read."),
    "uploads.spreadsheets.too_many_rows":
        N_("{filename} has {rows:,} rows; at most {limit:,} are read."),
    "uploads.spreadsheets.unpacks_too_large":
        N_("{filename} unpacks to {unpacked:,.0f} MB; at most {limit} MB are read."),
    "uploads.spreadsheets.zip_not_xlsx":
        N_("{filename} is a zip archive but not an Excel workbook (no xl/workbook.xml inside)."),
    # uploads.tables
    "uploads.tables.gaps": N_("{where} {what}; only finite numbers are accepted. Choose “fill "
                              "gaps” to fill {cells} by linear interpolation."),
    "uploads.tables.no_number_column":
        N_("{filename} has no column of numbers: every column holds text or dates, and the "
           "features of a step must be numbers."),
    "uploads.tables.no_rows": N_("{filename} has no rows of numbers: it needs at least one "
                                 "step (one row per step, one column per feature)."),
    "uploads.tables.no_sequence_name":
        N_("{where} is empty: every row needs the name of its sequence."),
    "uploads.tables.not_a_number": N_("{where} is {cells!r}, which is not a number; every "
                                      "cell of a column of numbers must be a number."),
    "uploads.tables.not_finite": N_("{where} is {shown}; only finite numbers are accepted (no "
                                    "NaN or Inf, at most {limit:.3g} in size)."),
    "uploads.tables.nothing_to_fill_from":
        N_("{filename}: column {column} has no number, so its gaps cannot be filled."),
    "uploads.tables.nothing_to_fill_from_in_sequence":
        N_("{filename}: column {column} has no number in sequence {key!r}, so its gaps cannot "
           "be filled."),
    "uploads.tables.too_many_sequences":
        N_("{filename}: column {column} names {sequences:,} sequences; at most {limit:,} are "
           "accepted."),
    # uploads.text_files
    "uploads.text_files.binary": N_("{filename} looks like a binary file, not text (it "
                                    "contains control bytes). Supported formats: {supported}."),
    "uploads.text_files.blank_text": N_("{filename} has no text (only spaces or blank lines): "
                                        "it needs at least one character."),
    "uploads.text_files.json_bad_object":
        N_("{filename}, at {path}: expected an object with one of \"values\", \"tokens\" or "
           "\"steps\" (and optionally \"name\"), found keys {keys}."),
    "uploads.text_files.json_empty_sequence":
        N_("{where}, at {path}: the sequence is empty; it needs at least one step."),
    "uploads.text_files.json_invalid":
        N_("{filename}, line {line}, column {column}: not valid JSON ({err})."),
    "uploads.text_files.json_no_sequences":
        N_("{filename}, at {path}: no sequences; at least one is needed."),
    "uploads.text_files.json_no_sequences_key":
        N_("{filename}: the top-level object has keys {keys} but no \"sequences\"; expected "
           "{{\"sequences\": [...]}}, a list of steps or a list of sequences."),
    "uploads.text_files.json_not_a_number":
        N_("{where}, at {path}: expected a number, found {found}."),
    "uploads.text_files.json_not_steps":
        N_("{where}, at {path}: expected a list of steps, found {found}."),
    "uploads.text_files.json_number_too_large":
        N_("{where}, at {path}: a number is too large."),
    "uploads.text_files.json_ragged":
        N_("{where}, at {path}: step {step} is {found} but step 1 is {first}; every step "
           "needs the same number of features."),
    "uploads.text_files.json_sequences_not_list":
        N_("{filename}, at sequences: expected a list of sequences, found {found}."),
    "uploads.text_files.json_tokens_not_strings":
        N_("{filename}, at {path}: expected a list of strings."),
    "uploads.text_files.json_too_deep":
        N_("{filename}, line {line}, column {col}: the JSON is nested more than {limit} "
           "levels deep; a list of sequences of steps needs 3 or 4."),
    "uploads.text_files.json_too_many_sequences":
        N_("{filename}, at {path}: {sequences:,} sequences; at most {limit:,} are accepted."),
    "uploads.text_files.json_too_many_steps":
        N_("{where}, at {path}: {steps:,} steps; at most {limit:,} are accepted."),
    "uploads.text_files.json_top_level":
        N_("{filename}: the top level is {found}; expected a list of steps, a list of "
           "sequences or {{\"sequences\": [...]}}."),
    "uploads.text_files.json_value": N_("{filename}: a value cannot be read ({err})."),
    "uploads.text_files.not_a_table":
        N_("{filename} could not be read as a table: {message}"),
    "uploads.text_files.not_text": N_("{filename} is not text: byte {byte} cannot be read as "
                                      "{encoding}. Save it as UTF-8 or UTF-16 text, or use "
                                      "one of: {supported}."),
    "uploads.text_files.ragged": N_("{filename}, line {line} has {saw} columns but {ref} has "
                                    "{width}: every row (step) needs the same number of "
                                    "columns (features)."),
    "uploads.text_files.ragged_one": N_("{filename}, line {line} has 1 column but {ref} has "
                                        "{width}: every row (step) needs the same number of "
                                        "columns (features)."),
    "uploads.text_files.too_many_characters":
        N_("{filename} has {tokens:,} characters; at most {limit:,} steps are accepted "
           "(shorten the text)."),
    "uploads.text_files.too_many_columns":
        N_("{filename}, line {line} has {width:,} columns; at most {limit:,} features per "
           "step are accepted."),
    "uploads.text_files.too_many_rows":
        N_("{filename} has {rows:,} rows; at most {limit:,} are read (and at most {steps:,} "
           "steps a sequence)."),
    "uploads.text_files.too_many_words":
        N_("{filename} has {tokens:,} words; at most {limit:,} steps are accepted (shorten "
           "the text)."),
    # uploads.typed
    "uploads.typed.empty": N_("the sequence is empty: add at least one step."),
    "uploads.typed.empty_cell": N_("{where} is empty: every step needs a number for every "
                                   "input."),
    "uploads.typed.first_step_empty":
        N_("step 1 has no values."),
    "uploads.typed.infinite": N_("{where} is infinite; use a finite number."),
    "uploads.typed.not_a_number": N_("{where} is {value!r}, which is not a number."),
    "uploads.typed.nothing": N_("nothing to read: type one step per line, e.g. '3, 1, 0'."),
    "uploads.typed.ragged": N_("step {step} has {count} values but step 1 has {first}: every "
                               "step needs the same number of inputs."),
    "uploads.typed.too_long": N_("the sequence is longer than {limit:,} steps."),
    "uploads.typed.wrong_width": N_("step {step} has {count} values, but the model reads "
                                    "{width} per step (x1 … x{width})."),
    "uploads.typed.wrong_width_one": N_("step {step} has 1 value, but the model reads {width} "
                                        "per step (x1 … x{width})."),
    # uploads.value
    "uploads.value.and_more": N_("{names} and {count} more"),
    "uploads.value.audio_read": N_("WAV (8/16/24/32-bit integer or 32/64-bit float PCM), "
                                   "FLAC, OGG/Vorbis and MP3, any sample rate from {low:,} to "
                                   "{high:,} Hz and any number of channels up to {channels}"),
    "uploads.value.bars": N_("bars (|)"),
    "uploads.value.commas": N_("commas"),
    "uploads.value.empty_cell": N_("is empty"),
    "uploads.value.infinite": N_("infinite"),
    "uploads.value.json_list": N_("a list of {length}"),
    "uploads.value.json_number": N_("the number {number!r}"),
    "uploads.value.json_object": N_("an object {{...}}"),
    "uploads.value.json_text": N_("the text {text!r}"),
    "uploads.value.missing_cells": N_("the {count:,} missing cells"),
    "uploads.value.missing_marker": N_("is {raw!r}, a missing value"),
    "uploads.value.nan": N_("NaN (not a number)"),
    "uploads.value.one_missing_cell":
        N_("the missing cell"),
    "uploads.value.python_objects": N_("Python objects"),
    "uploads.value.records": N_("records"),
    "uploads.value.semicolons": N_("semicolons"),
    "uploads.value.tabs": N_("tabs"),
    "uploads.value.too_large": N_("{number:g}, too large for 32-bit floats"),
}

_FORMATTER = string.Formatter()
_CHINESE_SEPARATORS = {"; ": "；", ", ": "、"}


def say(error: object, markdown: bool = True) -> str:
    """`error` (a UserError, Phrase, Joined or anything else) in the session's language;
    escaped for markdown unless `markdown` is False."""
    if isinstance(error, UserError):
        error = error.phrase
    if isinstance(error, Note):  # (a str too: its English text)
        error = Phrase(error.code, error.template, **error.values)
    if isinstance(error, Joined):
        sep = _CHINESE_SEPARATORS.get(error.sep, error.sep) if is_chinese() else error.sep
        return (md(sep) if markdown else sep).join(say(item, markdown) for item in error.items)
    if not isinstance(error, Phrase):
        return md(error) if markdown else str(error)
    template = MESSAGES.get(error.code)
    if template is not None:
        try:
            return _fill(_(template), error.values, markdown)
        except (KeyError, IndexError, ValueError, TypeError):  # a translation that does not fit
            pass
    return md(error) if markdown else str(error)


def _fill(template: str, values: dict[str, object], markdown: bool) -> str:
    """`template` with its fields filled from `values` (phrases said in turn), escaped."""
    out = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        if literal:
            out.append(md(literal) if markdown else literal)
        if field is None:
            continue
        value = values[field]
        if isinstance(value, (Phrase, Joined, Note, UserError)):
            out.append(say(value, markdown))
            continue
        text = format(_FORMATTER.convert_field(value, conversion), spec or "")
        out.append(md(text) if markdown else text)
    return "".join(out)
