#include "ui/pages/baselines_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMetaObject>
#include <QSpinBox>
#include <QPushButton>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>

#include "app/core/store_import.h"
#include "db/run_store.h"
#include "ui/adapter/open_store.h"
#include "ui/app/app_context.h"
#include "ui/app/app_settings.h"
#include "ui/models/baseline_model.h"
#include "ui/models/implementations_model.h"
#include "ui/pages/server_baseline_box.h"

namespace tbui {


BaselinesPage::BaselinesPage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    // External programs.
    auto* programs_box = new QGroupBox(tr("External programs (llama-bench of llama.cpp, bitnet.cpp, ik_llama.cpp)"));
    auto* programs_outer = new QVBoxLayout(programs_box);
    auto* programs_layout = new QHBoxLayout;
    programs_ = new QListWidget;
    // A handful of programs at most: the space below is for what the store holds.
    programs_->setMaximumHeight(programs_->fontMetrics().height() * 6);
    programs_->addItems(AppSettings::llama_bench_paths());
    if (programs_->count() > 0) programs_->setCurrentRow(0);
    auto* buttons = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add…"));
    auto* remove = new QPushButton(tr("Remove"));
    run_now_ = new QPushButton(QIcon(":/icons/start.svg"), tr("Run baseline now"));
    run_now_->setObjectName("runBaselineButton");
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addWidget(run_now_);
    buttons->addStretch();
    programs_layout->addWidget(programs_, 1);
    programs_layout->addLayout(buttons);
    programs_outer->addLayout(programs_layout);
    // What the program runs: llama-bench -m MODEL -p N -n N -r N -o json.
    auto* run_row = new QHBoxLayout;
    baseline_model_ = new QLineEdit;
    baseline_model_->setPlaceholderText(tr("model.gguf for llama-bench"));
    const QStringList recent = AppSettings::recent_models();
    if (!recent.isEmpty()) baseline_model_->setText(recent.front());
    auto* browse = new QPushButton(tr("Browse…"));
    baseline_prompt_ = new QSpinBox;
    baseline_prompt_->setRange(0, 1 << 20);
    baseline_prompt_->setValue(512);
    baseline_gen_ = new QSpinBox;
    baseline_gen_->setRange(0, 1 << 20);
    baseline_gen_->setValue(128);
    baseline_reps_ = new QSpinBox;
    baseline_reps_->setRange(1, 1000);
    baseline_reps_->setValue(5);
    baseline_timeout_ = new QDoubleSpinBox;
    baseline_timeout_->setRange(1, 86400);
    baseline_timeout_->setDecimals(0);
    baseline_timeout_->setValue(3600);
    baseline_timeout_->setSuffix(tr(" s"));
    run_row->addWidget(new QLabel(tr("Model")));
    run_row->addWidget(baseline_model_, 1);
    run_row->addWidget(browse);
    run_row->addWidget(new QLabel(tr("-p")));
    run_row->addWidget(baseline_prompt_);
    run_row->addWidget(new QLabel(tr("-n")));
    run_row->addWidget(baseline_gen_);
    run_row->addWidget(new QLabel(tr("-r")));
    run_row->addWidget(baseline_reps_);
    run_row->addWidget(new QLabel(tr("Timeout")));
    run_row->addWidget(baseline_timeout_);
    programs_outer->addLayout(run_row);
    baseline_result_ = new QLabel;
    baseline_result_->setWordWrap(true);
    baseline_result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    programs_outer->addWidget(baseline_result_);
    connect(add, &QPushButton::clicked, this, &BaselinesPage::add_program);
    connect(remove, &QPushButton::clicked, this, &BaselinesPage::remove_program);
    connect(run_now_, &QPushButton::clicked, this, &BaselinesPage::run_baseline);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Model for llama-bench"), baseline_model_->text(),
                                                          tr("GGUF models (*.gguf);;All files (*)"));
        if (!path.isEmpty()) baseline_model_->setText(path);
    });
    connect(baseline_model_, &QLineEdit::textChanged, this, &BaselinesPage::update_run_button);
    connect(programs_, &QListWidget::currentRowChanged, this, &BaselinesPage::update_run_button);
    update_run_button();

    // Import.
    auto* import_box = new QGroupBox(tr("Import result files"));
    auto* import_layout = new QVBoxLayout(import_box);
    auto* import_row = new QHBoxLayout;
    auto* import = new QPushButton(QIcon(":/icons/import.svg"), tr("Import…"));
    import->setToolTip(tr("llama-bench -o json|jsonl|csv|sql output, or ternbench CSV/JSON exports"));
    import_row->addWidget(import);
    import_row->addWidget(new QLabel(tr("llama-bench json, jsonl, csv, sql; ternbench CSV and JSON exports")), 1);
    import_result_ = new QLabel;
    import_result_->setWordWrap(true);
    import_result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    import_layout->addLayout(import_row);
    import_layout->addWidget(import_result_);
    connect(import, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("Import results"), QString(),
            tr("Results (*.json *.jsonl *.csv *.sql);;All files (*)"));
        if (!files.isEmpty()) import_files(files);
    });

    // Pins.
    auto* pins_box = new QGroupBox(tr("Pinned baselines (the newest is used for charts, Compare and reports)"));
    auto* pins_layout = new QVBoxLayout(pins_box);
    model_ = new BaselineModel(this);
    table_ = new QTableView;
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    auto* pin_row = new QHBoxLayout;
    auto* unpin = new QPushButton(QIcon(":/icons/unpin.svg"), tr("Unpin"));
    implementations_ = new QComboBox;
    implementations_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* pin_impl = new QPushButton(QIcon(":/icons/pin.svg"), tr("Pin implementation"));
    pin_row->addWidget(unpin);
    pin_row->addStretch();
    pin_row->addWidget(implementations_);
    pin_row->addWidget(pin_impl);
    pins_layout->addWidget(table_, 1);
    pins_layout->addLayout(pin_row);
    connect(unpin, &QPushButton::clicked, this, &BaselinesPage::unpin_selected);
    connect(pin_impl, &QPushButton::clicked, this, &BaselinesPage::pin_implementation);

    // Every implementation the store holds: which programs and builds, and how each was told apart.
    auto* found_box = new QGroupBox(tr("Implementations in this store"));
    auto* found_layout = new QVBoxLayout(found_box);
    found_model_ = new ImplementationsModel(this);
    auto* found_table = new QTableView;
    found_table->setModel(found_model_);
    found_table->verticalHeader()->setVisible(false);
    found_table->horizontalHeader()->setStretchLastSection(true);
    found_table->setSelectionMode(QAbstractItemView::NoSelection);
    found_table->setWordWrap(false);
    found_table->verticalHeader()->setDefaultSectionSize(found_table->fontMetrics().height() + 8);
    // Room for the usual handful (ours, llama.cpp, bitnet.cpp, ik_llama.cpp, ...) without scrolling.
    found_table->setMinimumHeight((found_table->fontMetrics().height() + 8) * 6);
    found_layout->addWidget(found_table);
    connect(found_model_, &QAbstractItemModel::modelReset, found_table, [found_table] {
        found_table->resizeColumnsToContents();
        // Long program paths are elided (the tooltip lists them all) so "told apart by" stays visible.
        const int programs_width = found_table->fontMetrics().horizontalAdvance(QString(48, QLatin1Char('x')));
        if (found_table->columnWidth(ImplementationsModel::Programs) > programs_width)
            found_table->setColumnWidth(ImplementationsModel::Programs, programs_width);
    });

    // The boxes need about 900 px of height at 100 %: on a smaller window the page scrolls
    // instead of squeezing the tables.
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(programs_box);
    server_box_ = new ServerBaselineBox(context_);
    layout->addWidget(server_box_);
    layout->addWidget(import_box);
    layout->addWidget(found_box, 2);
    layout->addWidget(pins_box, 1);
    auto* scroll = new QScrollArea;
    scroll->setObjectName("baselinesScroll");
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* page_layout = new QVBoxLayout(this);
    page_layout->setContentsMargins(0, 0, 0, 0);
    page_layout->addWidget(scroll);
    connect(context_, &AppContext::storeChanged, this, &BaselinesPage::reload);
    reload();
}

BaselinesPage::~BaselinesPage() {
    if (baseline_cancel_) baseline_cancel_->store(true);
    if (baseline_thread_.joinable()) baseline_thread_.join();
}

void BaselinesPage::update_run_button() {
    if (!run_now_) return;
    const bool has_program = programs_->count() > 0;
    const bool has_model = !baseline_model_->text().trimmed().isEmpty();
    run_now_->setEnabled(has_program && has_model && !baseline_running());
    if (baseline_running())
        run_now_->setToolTip(tr("A baseline is running."));
    else if (!has_program)
        run_now_->setToolTip(tr("Add a llama-bench executable first."));
    else if (!has_model)
        run_now_->setToolTip(tr("Choose the model file llama-bench should run."));
    else
        run_now_->setToolTip(tr("Run the selected llama-bench (-o json) on the model and store its results as baseline runs."));
}

void BaselinesPage::set_programs(const QStringList& paths) {
    programs_->clear();
    programs_->addItems(paths);
    if (programs_->count() > 0) programs_->setCurrentRow(0);
    save_programs();
    update_run_button();
}

void BaselinesPage::set_baseline_model(const QString& path) { baseline_model_->setText(path); }

void BaselinesPage::set_baseline_tokens(int n_prompt, int n_gen) {
    baseline_prompt_->setValue(n_prompt);
    baseline_gen_->setValue(n_gen);
}

void BaselinesPage::set_baseline_timeout_s(double seconds) { baseline_timeout_->setValue(seconds); }

void BaselinesPage::run_baseline() {
    if (baseline_running() || programs_->count() == 0) return;
    const QListWidgetItem* item = programs_->currentItem() ? programs_->currentItem() : programs_->item(0);
    bench::LlamaBenchRunSpec spec;
    spec.program = item->text().toStdString();
    spec.model_path = baseline_model_->text().trimmed().toStdString();
    spec.n_prompt = baseline_prompt_->value();
    spec.n_gen = baseline_gen_->value();
    spec.repetitions = baseline_reps_->value();
    spec.timeout_s = baseline_timeout_->value();
    spec.threads = AppSettings::default_threads();
    const QString program = item->text();
    baseline_result_->setText(tr("Running %1 (timeout %2 s)…").arg(program).arg(spec.timeout_s));
    emit context_->statusMessage(tr("Baseline running: %1").arg(program));
    baseline_cancel_ = std::make_shared<std::atomic<bool>>(false);
    // Its own thread and store connection: a baseline can take minutes and must not hold the
    // store worker that the other pages read through.
    baseline_thread_ = std::thread([this, spec, program, path = context_->db_path().toStdString(), cancel = baseline_cancel_] {
        bench::LlamaBenchRunOutcome outcome;
        try {
            tbdb::RunStore store = open_store_retrying(path);
            outcome = bench::run_llama_bench(spec, store, cancel.get());
        } catch (const std::exception& e) {
            outcome.error = std::string("could not store the baseline: ") + e.what();
        } catch (...) {
            outcome.error = "unknown error while running the baseline";
        }
        // Dropped by Qt if the page is gone (its destructor joins this thread first anyway).
        QMetaObject::invokeMethod(this, [this, outcome, program] { on_baseline_done(outcome, program); },
                                  Qt::QueuedConnection);
    });
    update_run_button();
}

void BaselinesPage::on_baseline_done(const bench::LlamaBenchRunOutcome& outcome, const QString& program) {
    if (baseline_thread_.joinable()) baseline_thread_.join();   // it has posted its last event
    if (outcome.ok()) {
        QStringList tests;
        for (const auto& r : outcome.runs) {
            QString figure;
            for (const auto& m : r.metrics)
                if (m.value && m.unit == "tok/s" && figure.isEmpty()) figure = QStringLiteral("%1 %2").arg(*m.value, 0, 'f', 1).arg(QString::fromStdString(m.unit));
            tests << QStringLiteral("%1 %2").arg(QString::fromStdString(r.workload), figure).trimmed();
        }
        last_baseline_ = tr("%1: %2 run(s) stored (%3).").arg(program).arg(outcome.runs.size()).arg(tests.join(", "));
        emit context_->statusMessage(last_baseline_);
    } else {
        last_baseline_ = outcome.runs.empty()
                             ? tr("Baseline failed: %1").arg(QString::fromStdString(outcome.error))
                             : tr("Baseline failed: %1 (stored as a failed run)").arg(QString::fromStdString(outcome.error));
        emit context_->errorRaised(last_baseline_);
    }
    baseline_result_->setText(last_baseline_);
    update_run_button();
    if (!outcome.runs.empty()) emit context_->storeChanged();
    emit baselineFinished(outcome.ok());
}

void BaselinesPage::reload() {
    const quint64 generation = ++generation_;
    context_->store().query(
        this, [](tbdb::RunStore& store) { return std::make_pair(store.baselines(), store.list_runs()); },
        [this, generation](std::pair<std::vector<tbdb::Baseline>, std::vector<tbdb::RunSummary>> result) {
            if (generation != generation_) return;
            QStringList impls;
            for (const auto& r : result.second) impls << QString::fromStdString(r.implementation);
            impls.removeDuplicates();
            impls.sort();
            const QString current = implementations_->currentText();
            implementations_->clear();
            implementations_->addItems(impls);
            if (impls.contains(current)) implementations_->setCurrentText(current);
            found_model_->set_found(bench::implementations_found(result.second));
            model_->set_baselines(std::move(result.first), result.second);
            table_->resizeColumnsToContents();
        },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not read the baselines: %1").arg(error)); });
}

void BaselinesPage::add_program() {
    const QString path = QFileDialog::getOpenFileName(this, tr("llama-bench executable"));
    if (path.isEmpty()) return;
    programs_->addItem(path);
    programs_->setCurrentRow(programs_->count() - 1);
    save_programs();
    update_run_button();
}

void BaselinesPage::remove_program() {
    delete programs_->currentItem();
    save_programs();
    update_run_button();
}

void BaselinesPage::save_programs() {
    QStringList paths;
    for (int i = 0; i < programs_->count(); ++i) paths << programs_->item(i)->text();
    AppSettings::set_llama_bench_paths(paths);
}

void BaselinesPage::import_files(const QStringList& paths) {
    import_result_->setText(tr("Importing %1 file(s)…").arg(paths.size()));
    std::vector<std::string> files;
    for (const QString& p : paths) files.push_back(p.toStdString());
    context_->store().query(
        this,
        [files](tbdb::RunStore& store) {
            std::vector<bench::FileImportOutcome> outcomes;
            for (const auto& file : files) outcomes.push_back(bench::import_into_store(store, file));
            return outcomes;
        },
        [this](const std::vector<bench::FileImportOutcome>& outcomes) { show_import_outcomes(outcomes); },
        [this](const QString& error) {
            last_import_ = error;
            import_result_->setText(error);
            emit context_->errorRaised(tr("Import failed: %1").arg(error));
            emit importFinished(0);
        });
}

void BaselinesPage::show_import_outcomes(const std::vector<bench::FileImportOutcome>& outcomes) {
    QStringList lines;
    for (const auto& o : outcomes) {
        const QString file = QString::fromStdString(o.file);
        if (o.failed()) {
            lines << tr("%1: not imported: %2").arg(file, QString::fromStdString(o.error));
            continue;
        }
        QString line = tr("%1: %2 run(s) imported as %3")
                           .arg(file)
                           .arg(o.imported_ids.size())
                           .arg(QString::fromLatin1(bench::import_format_name(o.format)));
        if (!o.already_stored_ids.empty()) line += tr("; %1 already stored").arg(o.already_stored_ids.size());
        lines << line;
        for (const auto& w : o.warnings) lines << tr("  warning: %1").arg(QString::fromStdString(w));
    }
    const bench::ImportTotals totals = bench::import_totals(outcomes);
    last_import_totals_ = totals;
    last_import_ = lines.join('\n');
    import_result_->setText(last_import_);
    if (totals.failed_files > 0) emit context_->errorRaised(tr("%n file(s) not imported; see the Baselines page.", "", totals.failed_files));
    emit context_->statusMessage(tr("Imported %1 run(s), %2 already stored.").arg(totals.imported).arg(totals.already_stored));
    if (totals.imported > 0) emit context_->storeChanged();
    emit importFinished(totals.imported);
}

void BaselinesPage::unpin_selected() {
    const QModelIndexList rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        emit context_->errorRaised(tr("Select a pinned baseline to unpin."));
        return;
    }
    const qint64 id = rows.front().data(BaselineModel::BaselineIdRole).toLongLong();
    context_->store().query(
        this, [id](tbdb::RunStore& store) { store.unpin(id); return true; },
        [this](bool) { emit context_->storeChanged(); },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not unpin: %1").arg(error)); });
}

void BaselinesPage::pin_implementation() {
    const std::string impl = implementations_->currentText().toStdString();
    if (impl.empty()) return;
    context_->store().query(
        this, [impl](tbdb::RunStore& store) { store.pin_implementation(impl); return true; },
        [this](bool) { emit context_->storeChanged(); },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not pin: %1").arg(error)); });
}

}  // namespace tbui
