#include "ui/app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include "ui/app/app_context.h"
#include "ui/app/app_settings.h"
#include "ui/app/report_export.h"
#include "ui/charts/history_chart_view.h"
#include "ui/pages/baselines_page.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/history_page.h"
#include "ui/pages/run_form.h"
#include "ui/pages/run_page.h"
#include "ui/pages/settings_page.h"

// The icons live in libtbui's resources; a static library must register them explicitly,
// and Q_INIT_RESOURCE cannot be used inside a namespace.
static void init_tbui_resources() { Q_INIT_RESOURCE(ternbench); }

namespace tbui {

QString MainWindow::page_name(Page page) {
    static const char* names[] = {"run", "history", "compare", "baselines", "settings"};
    return QString::fromLatin1(names[page]);
}

MainWindow::MainWindow(const QString& db_path, QWidget* parent) : QMainWindow(parent) {
    init_tbui_resources();
    setWindowTitle(tr("ternbench — ternary LLM inference benchmarks"));
    setWindowIcon(QIcon(":/icons/ternbench.svg"));
    context_ = std::make_unique<AppContext>(db_path.isEmpty() ? AppSettings::db_path() : db_path);

    run_ = new RunPage(context_.get());
    history_ = new HistoryPage(context_.get());
    compare_ = new ComparePage(context_.get());
    baselines_ = new BaselinesPage(context_.get());
    settings_ = new SettingsPage(context_.get());

    nav_ = new QListWidget;
    nav_->setObjectName("pageList");
    nav_->setIconSize(QSize(24, 24));
    nav_->setSpacing(2);
    const QList<QPair<QString, QString>> pages = {{tr("Run"), ":/icons/run.svg"},
                                                  {tr("History"), ":/icons/history.svg"},
                                                  {tr("Compare"), ":/icons/compare.svg"},
                                                  {tr("Baselines"), ":/icons/baselines.svg"},
                                                  {tr("Settings"), ":/icons/settings.svg"}};
    for (const auto& [name, icon] : pages) nav_->addItem(new QListWidgetItem(QIcon(icon), name));
    nav_->setFixedWidth(nav_->sizeHintForColumn(0) + 2 * nav_->frameWidth() + 24);
    stack_ = new QStackedWidget;
    for (QWidget* page : std::initializer_list<QWidget*>{run_, history_, compare_, baselines_, settings_}) stack_->addWidget(page);
    connect(nav_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);

    // Error banner above the pages: stays until closed or the next success.
    banner_ = new QWidget;
    banner_->setObjectName("errorBanner");
    banner_->setAutoFillBackground(true);
    banner_->setStyleSheet("#errorBanner { background: #fbe3e3; border: 1px solid #d08080; border-radius: 4px; }"
                           "#errorBanner QLabel { color: #801010; }");
    banner_label_ = new QLabel;
    banner_label_->setWordWrap(true);
    banner_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close_banner = new QPushButton(tr("Dismiss"));
    auto* banner_layout = new QHBoxLayout(banner_);
    banner_layout->addWidget(banner_label_, 1);
    banner_layout->addWidget(close_banner);
    banner_->hide();
    connect(close_banner, &QPushButton::clicked, banner_, &QWidget::hide);

    auto* right = new QWidget;
    auto* right_layout = new QVBoxLayout(right);
    right_layout->setContentsMargins(0, 0, 0, 0);
    right_layout->addWidget(banner_);
    right_layout->addWidget(stack_, 1);
    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(nav_);
    layout->addWidget(right, 1);
    setCentralWidget(central);

    build_actions();
    build_menus_and_toolbar();
    for (QChartView* chart : findChildren<QChartView*>()) install_chart_menu(chart);
    statusBar()->showMessage(tr("Database: %1").arg(context_->db_path()));

    connect(context_.get(), &AppContext::errorRaised, this, &MainWindow::show_error);
    connect(context_.get(), &AppContext::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 10000); });
    connect(context_.get(), &AppContext::compareRequested, this, [this] { show_page(ComparePageIndex); });
    connect(context_.get(), &AppContext::runSelected, this, [this] { show_page(HistoryPageIndex); });
    connect(run_, &RunPage::runningChanged, this, [this](bool running) {
        start_->setEnabled(!running);
        cancel_->setEnabled(running);
        if (running) banner_->hide();
    });

    resize(1280, 820);
    restoreGeometry(AppSettings::window_geometry());
    restoreState(AppSettings::window_state());
    run_->form()->load_settings();
    show_page(static_cast<Page>(std::clamp(AppSettings::last_page(), 0, PageCount - 1)));
}

MainWindow::~MainWindow() = default;

void MainWindow::build_actions() {
    start_ = new QAction(QIcon(":/icons/start.svg"), tr("&Start benchmark"), this);
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    start_->setToolTip(tr("Start the Run page's workloads (Ctrl+R)"));
    connect(start_, &QAction::triggered, this, [this] {
        show_page(RunPageIndex);
        run_->start();
    });
    cancel_ = new QAction(QIcon(":/icons/cancel.svg"), tr("&Cancel benchmark"), this);
    cancel_->setShortcut(QKeySequence(Qt::Key_Escape));
    cancel_->setToolTip(tr("Cancel the running benchmark, keeping what was measured (Esc)"));
    cancel_->setEnabled(false);
    connect(cancel_, &QAction::triggered, run_, &RunPage::cancel);
    export_ = new QAction(QIcon(":/icons/export.svg"), tr("&Export report…"), this);
    export_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    export_->setToolTip(tr("Export the History selection or the comparison as Markdown (with charts), CSV or JSON (Ctrl+E)"));
    connect(export_, &QAction::triggered, this, &MainWindow::export_current);
    save_chart_ = new QAction(tr("Save &chart as PNG/SVG…"), this);
    connect(save_chart_, &QAction::triggered, this, &MainWindow::save_current_chart);
    reload_ = new QAction(QIcon(":/icons/refresh.svg"), tr("&Reload history"), this);
    reload_->setShortcut(QKeySequence::Refresh);
    connect(reload_, &QAction::triggered, history_, &HistoryPage::reload);
    quit_ = new QAction(tr("&Quit"), this);
    quit_->setShortcut(QKeySequence::Quit);
    connect(quit_, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::build_menus_and_toolbar() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(export_);
    file->addAction(save_chart_);
    file->addSeparator();
    file->addAction(quit_);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(start_);
    run->addAction(cancel_);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < PageCount; ++i) {
        auto* go = view->addAction(nav_->item(i)->text());
        go->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(go, &QAction::triggered, this, [this, i] { show_page(static_cast<Page>(i)); });
    }
    view->addSeparator();
    view->addAction(reload_);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ternbench"), this, [this] {
        QMessageBox::about(this, tr("About ternbench"),
                           tr("ternbench benchmarks BitNet b1.58 ternary LLM inference on CPUs.\nDatabase: %1")
                               .arg(context_->db_path()));
    });
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("mainToolBar");
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(start_);
    bar->addAction(cancel_);
    bar->addSeparator();
    bar->addAction(export_);
    bar->addAction(reload_);
}

void MainWindow::show_page(Page page) {
    nav_->setCurrentRow(page);
    stack_->setCurrentIndex(page);
}

MainWindow::Page MainWindow::current_page() const { return static_cast<Page>(stack_->currentIndex()); }

QString MainWindow::banner_text() const { return banner_->isHidden() ? QString() : banner_label_->text(); }

void MainWindow::show_error(const QString& message) {
    banner_label_->setText(message);
    banner_->show();
    statusBar()->showMessage(message, 15000);
}

void MainWindow::export_current() {
    ExportJob job;
    if (current_page() == ComparePageIndex && !compare_->runs().empty()) {
        job.title = "ternbench comparison";
        for (const auto& r : compare_->runs()) job.run_ids.push_back(r.id);
        job.baseline_run = compare_->runs().front().id;
        job.charts = {{"bars", compare_->bar_chart()}, {"latency_cdf", compare_->cdf_chart()}};
    } else {
        job.title = "ternbench history";
        for (qint64 id : history_->export_run_ids()) job.run_ids.push_back(id);
        job.charts = {{"latency", history_->latency_chart()}, {"throughput", history_->throughput_chart()}};
    }
    export_with_dialog(context_.get(), this, std::move(job));
}

void MainWindow::save_current_chart() {
    QChartView* view = nullptr;
    if (current_page() == ComparePageIndex) view = compare_->bar_chart();
    else view = history_->throughput_chart();
    const QString error = save_chart_with_dialog(view, this);
    if (!error.isEmpty()) show_error(error);
}

void MainWindow::save_state() {
    AppSettings::set_window_geometry_and_state(saveGeometry(), saveState());
    AppSettings::set_last_page(stack_->currentIndex());
    run_->form()->save_settings();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    save_state();
    if (run_->running()) run_->cancel();   // the controller waits for the runner as the window closes
    QMainWindow::closeEvent(event);
}

}  // namespace tbui
