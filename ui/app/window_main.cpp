#include "ui/app/window_main.h"

#include <QApplication>
#include <QIcon>

#include "ui/app/main_window.h"

namespace tbui {

int run_window(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("ternbench");
    QApplication::setApplicationName("ternbench");
    QApplication::setWindowIcon(QIcon(":/icons/ternbench.svg"));
    MainWindow window;
    window.show();
    return app.exec();
}

}  // namespace tbui
