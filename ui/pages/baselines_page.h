#pragma once
// Baselines page: configured external programs (llama-bench paths), "run baseline now",
// importing result files (llama-bench json/jsonl/csv/sql output, our CSV/JSON exports), every
// implementation the store holds, and the pinned baselines with unpin.
#include <atomic>
#include <memory>
#include <thread>

#include <QStringList>
#include <QWidget>

#include "app/core/store_import.h"
#include "app/legacy/llama_bench_runner.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QPushButton;
class QTableView;

namespace tbui {

class AppContext;
class BaselineModel;
class ImplementationsModel;
class ServerBaselineBox;

class BaselinesPage : public QWidget {
    Q_OBJECT
public:
    explicit BaselinesPage(AppContext* context, QWidget* parent = nullptr);
    ~BaselinesPage() override;   // cancels a running baseline and waits for its thread

    BaselineModel* model() const { return model_; }
    ImplementationsModel* implementations_model() const { return found_model_; }
    QPushButton* run_baseline_button() const { return run_now_; }
    // Imports the files on the store worker (bench::import_into_store, as `ternbench import`);
    // the outcome goes to the page, the status bar and, for a failed file, the banner.
    void import_files(const QStringList& paths);
    QString last_import_summary() const { return last_import_; }
    bench::ImportTotals last_import_totals() const { return last_import_totals_; }

    // "Run baseline now": runs the selected (else the first) program on the model on a worker
    // thread with its own store connection; the outcome goes to the page and the banner.
    void run_baseline();
    bool baseline_running() const { return baseline_thread_.joinable(); }
    void set_programs(const QStringList& paths);   // replaces the list and saves it
    void set_baseline_model(const QString& path);
    void set_baseline_timeout_s(double seconds);
    void set_baseline_tokens(int n_prompt, int n_gen);   // the -p and -n boxes
    QString last_baseline_summary() const { return last_baseline_; }
    // llama-server programs: latency workloads over HTTP (server_baseline_box.h).
    ServerBaselineBox* server_baselines() const { return server_box_; }

public slots:
    void reload();

signals:
    void importFinished(int runs);
    void baselineFinished(bool ok);

private:
    void add_program();
    void remove_program();
    void save_programs();
    void unpin_selected();
    void pin_implementation();
    void update_run_button();
    void show_import_outcomes(const std::vector<bench::FileImportOutcome>& outcomes);
    void on_baseline_done(const bench::LlamaBenchRunOutcome& outcome, const QString& program);

    AppContext* context_;
    QListWidget* programs_ = nullptr;
    QPushButton* run_now_ = nullptr;
    QLabel* import_result_ = nullptr;
    BaselineModel* model_ = nullptr;
    ImplementationsModel* found_model_ = nullptr;
    QTableView* table_ = nullptr;
    QComboBox* implementations_ = nullptr;
    QString last_import_;
    bench::ImportTotals last_import_totals_;
    QLineEdit* baseline_model_ = nullptr;
    QSpinBox* baseline_prompt_ = nullptr;
    QSpinBox* baseline_gen_ = nullptr;
    QSpinBox* baseline_reps_ = nullptr;
    QDoubleSpinBox* baseline_timeout_ = nullptr;
    QLabel* baseline_result_ = nullptr;
    QString last_baseline_;
    std::thread baseline_thread_;
    std::shared_ptr<std::atomic<bool>> baseline_cancel_;
    quint64 generation_ = 0;
    ServerBaselineBox* server_box_ = nullptr;
};

}  // namespace tbui
